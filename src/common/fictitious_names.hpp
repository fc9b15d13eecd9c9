#pragma once

// Fictitious names for generated data (the duplicate-detection benchmark, `demo --scale`),
// most frequent first within each list.
// Sources: INSEE surname and given-name frequencies for France and Île-de-France by birth
// cohort, and the usual names of the communities living around Cergy-Pontoise (Maghreb, West and
// Central Africa, Portugal, Turkey, Vietnam, Eastern Europe). Frequencies are approximated by the
// rank (a Zipf law), which reproduces what matters here: a few very common names ("Martin",
// "Nguyen", "Diallo", "Mohamed") that create namesakes, and a long tail.

#include <string_view>

namespace allervers::names {

enum class Origin { kFrench, kMaghreb, kWestAfrica, kPortugal, kTurkey, kVietnam, kEasternEurope };

// ---- French -------------------------------------------------------------------------------
inline constexpr std::string_view kFrenchSurnames =
    "Martin,Bernard,Thomas,Petit,Robert,Richard,Durand,Dubois,Moreau,Laurent,Simon,Michel,Lefèvre,"
    "Leroy,Roux,David,Bertrand,Morel,Fournier,Girard,Bonnet,Dupont,Lambert,Fontaine,Rousseau,"
    "Vincent,Muller,Lefebvre,Faure,André,Mercier,Blanc,Guérin,Boyer,Garnier,Chevalier,François,"
    "Legrand,Gauthier,Garcia,Perrin,Robin,Clément,Morin,Nicolas,Henry,Roussel,Mathieu,Gautier,"
    "Masson,Marchand,Duval,Denis,Dumont,Marie,Lemaire,Noël,Meyer,Dufour,Meunier,Brun,Blanchard,"
    "Giraud,Joly,Rivière,Lucas,Brunet,Gaillard,Barbier,Arnaud,Martinez,Gérard,Roche,Renard,"
    "Schmitt,Roy,Leroux,Colin,Vidal,Caron,Picard,Roger,Fabre,Aubert,Lemoine,Renaud,Dumas,Lacroix,"
    "Olivier,Philippe,Bourgeois,Pierre,Benoît,Rey,Leclerc,Payet,Rolland,Leclercq,Guillaume,"
    "Lecomte,Lopez,Jean,Dupuy,Guillot,Hubert,Berger,Carpentier,Sanchez,Dupuis,Moulin,Louis,"
    "Deschamps,Huet,Vasseur,Perez,Boucher,Fleury,Royer,Klein,Jacquet,Adam,Paris,Poirier,Marty,"
    "Aubry,Guyot,Carré,Charles,Renault,Charpentier,Ménard,Maillard,Baron,Bertin,Bailly,Hervé,"
    "Schneider,Fernandez,Le Gall,Collet,Léger,Bouvier,Julien,Prévost,Millet,Perrot,Daniel,"
    "Le Roux,Cousin,Germain,Breton,Besson,Langlois,Rémy,Le Goff,Pelletier,Lévêque,Perrier,"
    "Leblanc,Barré,Lebrun,Marchal,Weber,Mallet,Hamon,Boulanger,Jacob,Monnier,Michaud,Rodriguez,"
    "Guichard,Gillet,Étienne,Grondin,Poulain,Tessier,Chevallier,Collin,Chauvin,Bouchet,Gay,"
    "Lemaître,Bénard,Maréchal,Humbert,Reynaud,Antoine,Hoarau,Perret,Barthélemy,Cordier,Pichon,"
    "Lejeune,Gilbert,Lamy,Delaunay,Pasquier,Carlier,Laporte,Le Bihan,Le Floch,Le Corre,Le Guen,"
    "Delacroix,Desmarais,Lefranc,Dupré,Vallée,Courtois,Hébert,Texier,Thibault,Bazin,Godard,"
    "Lebon,Poulet,Tanguy,Ollivier,Hamel,Lenoir,Delattre,Jourdan,Marechal,Besnard,Devaux,"
    "De Oliveira,Du Pont,De Sousa,Saint-Martin,Lagarde,Dumoulin,Pineau,Langlais,Thierry,"
    "Cochet,Bouquet,Verdier,Bourdon,Guillou,Riviere,Chartier,Poncet,Boulay,Rousset,Leveque";

inline constexpr std::string_view kFrenchMen1930 =
    "Jean,Pierre,Michel,André,Jacques,René,Claude,Bernard,Robert,Marcel,Roger,Louis,Georges,"
    "Henri,Paul,Raymond,Daniel,Gérard,Maurice,Lucien,Guy,Marcel,Roland,Gilbert,Yves,Jean-Pierre,"
    "Jean-Claude,Jean-Marie,Albert,Joseph,Raymond,Fernand,Émile,Charles,Francis,Serge,Gaston";
inline constexpr std::string_view kFrenchWomen1930 =
    "Marie,Jeanne,Monique,Jacqueline,Simone,Françoise,Yvette,Denise,Suzanne,Madeleine,Paulette,"
    "Colette,Odette,Germaine,Micheline,Ginette,Josette,Lucienne,Nicole,Christiane,Andrée,Renée,"
    "Yvonne,Marcelle,Raymonde,Huguette,Janine,Arlette,Marie-Thérèse,Gisèle,Solange,Éliane,Annie,"
    "Marie-Louise,Thérèse,Geneviève,Danielle,Claudine";
inline constexpr std::string_view kFrenchMen1955 =
    "Philippe,Patrick,Alain,Christian,Thierry,Pascal,Éric,Dominique,Didier,Frédéric,Laurent,"
    "Bruno,Gilles,Olivier,Jean-Pierre,Jean-Claude,Jean-Luc,Daniel,Michel,Bernard,Hervé,Francis,"
    "Joël,Jean-Michel,Jean-François,Marc,Denis,Serge,Jacques,Christophe,Vincent,Yannick";
inline constexpr std::string_view kFrenchWomen1955 =
    "Martine,Nathalie,Isabelle,Sylvie,Catherine,Christine,Brigitte,Véronique,Sandrine,Chantal,"
    "Patricia,Valérie,Corinne,Florence,Marie-Christine,Dominique,Pascale,Françoise,Évelyne,"
    "Annick,Nadine,Joëlle,Béatrice,Laurence,Muriel,Marie-Claire,Anne,Agnès,Hélène,Marie-France";
inline constexpr std::string_view kFrenchMen1975 =
    "Nicolas,Sébastien,Julien,Christophe,Stéphane,David,Guillaume,Mickaël,Jérôme,Cédric,Anthony,"
    "Kévin,Romain,Maxime,Alexandre,Jonathan,Jérémy,Fabien,Grégory,Ludovic,Arnaud,Damien,"
    "Benjamin,Mathieu,Yohann,Franck,Sylvain,Loïc,Florian,Thomas,Matthieu,Jean-Baptiste";
inline constexpr std::string_view kFrenchWomen1975 =
    "Céline,Stéphanie,Aurélie,Émilie,Julie,Laetitia,Audrey,Virginie,Caroline,Élodie,Mélanie,"
    "Sophie,Vanessa,Karine,Amandine,Marion,Laura,Sarah,Jessica,Sabrina,Séverine,Delphine,"
    "Angélique,Cécile,Anne-Sophie,Marie,Claire,Estelle,Ingrid,Coralie,Aurore,Marine";
inline constexpr std::string_view kFrenchMen1995 =
    "Lucas,Thomas,Hugo,Théo,Enzo,Nathan,Mathis,Louis,Léo,Clément,Antoine,Quentin,Baptiste,"
    "Dylan,Tom,Noah,Gabriel,Maxime,Alexis,Valentin,Kylian,Ethan,Axel,Évan,Raphaël,Mathéo,Adam,"
    "Corentin,Jules,Arthur,Nolan,Sacha";
inline constexpr std::string_view kFrenchWomen1995 =
    "Léa,Manon,Chloé,Camille,Emma,Inès,Océane,Sarah,Clara,Lucie,Jade,Anaïs,Mathilde,Lola,"
    "Louise,Marine,Pauline,Justine,Margaux,Juliette,Maëlys,Lilou,Romane,Zoé,Eva,Alicia,Lina,"
    "Morgane,Célia,Noémie,Amélie,Mélissa";

// ---- Maghreb ------------------------------------------------------------------------------
inline constexpr std::string_view kMaghrebSurnames =
    "Benali,Belkacem,Haddad,Mansouri,Cherif,Brahimi,Hamidi,Khelifi,Saidi,Rahmani,Amrani,"
    "Ben Ali,Bouziane,Benamar,Boudjema,Mebarki,El Idrissi,El Amrani,Benyahia,Belaid,Bouaziz,"
    "Aït Ahmed,Zerrouki,Larbi,Meziane,Kaci,Chaoui,Benhamou,Slimani,Bensaïd,Djebbar,Ouali,"
    "Tahri,Nasri,Aïssaoui,Boukhari,Touati,Messaoudi,Hamdi,Benmoussa,Belhadj,Mokrani,Lounis,"
    "Ziani,Ferhat,Bouchareb,Kaddour,El Fassi,Alaoui,Bennani,Tazi,Berrada,Cherkaoui,Trabelsi,"
    "Ben Salah,Ben Amor,Jebali,Gharbi,Mejri,Ayari,Hammami,Ben Youssef,Chebbi,Aït Ali,Hadjadj,"
    "Boumediene,Guerroudj,Azzouz,Benaissa,Kherbouche,Medjahed,Lakhdari,Yahiaoui,Chergui,"
    "Bouzid,Hamza,Sahraoui,Bendjelloul,Zaoui,Amara,Abdelli,Ould Ahmed,El Mansouri,Daoudi";
inline constexpr std::string_view kMaghrebMen =
    "Mohamed,Ahmed,Ali,Karim,Rachid,Saïd,Youssef,Yacine,Mehdi,Bilal,Nassim,Samir,Mourad,"
    "Abdelkader,Abdellah,Hamid,Omar,Khaled,Farid,Nordine,Hakim,Amine,Sofiane,Ilyes,Rayan,Adam,"
    "Ayoub,Hicham,Redouane,Mustapha,Brahim,Larbi,Djamel,Walid,Mohammed,Mohamed Amine,Abdelaziz,"
    "Kamel,Lahcen,Mounir,Noureddine,Slimane,Tahar,Yassine,Zinedine,Hamza,Ismaël,Sami";
inline constexpr std::string_view kMaghrebWomen =
    "Fatima,Khadija,Aïcha,Malika,Nadia,Samira,Leïla,Yasmina,Amina,Fatiha,Zohra,Naïma,Karima,"
    "Souad,Houria,Rachida,Nora,Sonia,Yamina,Meriem,Inès,Sarah,Lina,Assia,Djamila,Hafsa,Kenza,"
    "Salma,Imane,Hanane,Nawel,Soraya,Zineb,Fadila,Ghania,Ouarda,Dalila,Farida,Fatima Zohra,"
    "Latifa,Habiba,Saïda,Hayat,Samia,Wafa,Zahra,Khedidja,Louisa,Nabila";

// ---- West and Central Africa ---------------------------------------------------------------
inline constexpr std::string_view kWestAfricaSurnames =
    "Diallo,Traoré,Koné,Coulibaly,Diarra,Camara,Keïta,Cissé,Touré,Sylla,Sow,Bâ,Diop,N'Diaye,"
    "Fall,Sarr,Gueye,Faye,Diouf,Sy,Kanté,Doumbia,Sissoko,Konaté,Fofana,Bamba,Dembélé,Sangaré,"
    "Kouyaté,Soumaré,Niang,Mbaye,Thiam,Seck,Dia,Kamara,Kouassi,Yao,Kouadio,N'Guessan,Konan,"
    "Koffi,Mensah,Mendy,Gomis,Sagna,Tall,Diakité,Doucouré,Sacko,Tandia,Sidibé,Bathily,Kébé,"
    "Wagué,Dramé,Magassa,Diaby,Soumah,Baldé,Barry,Bah,Condé,Kaba,Samaké,Ouattara,Bakayoko,"
    "Ouédraogo,Sawadogo,Kaboré,Mukendi,Ilunga,Mbuyi,Tshibangu,Kalonji,Nsimba,Mabiala,Malonga,"
    "Massamba,Matondo,Ngono,Mbarga,Atangana,Essomba,Fotso,Kamga,N'Dour,M'Bengue,N'Goma";
inline constexpr std::string_view kWestAfricaMen =
    "Mamadou,Moussa,Ibrahima,Abdoulaye,Oumar,Seydou,Amadou,Boubacar,Cheikh,Ousmane,Souleymane,"
    "Lamine,Modibo,Issa,Bakary,Adama,Sékou,Mohamed,Fodé,Aliou,Kouadio,Yao,Koffi,Jean-Baptiste,"
    "Serge,Patrick,Emmanuel,Christian,Armel,Hervé,Djibril,Samba,Mahamadou,Hamidou,Alassane,"
    "Daouda,Idrissa,Youssouf,Aboubacar,Papa";
inline constexpr std::string_view kWestAfricaWomen =
    "Aminata,Fatoumata,Mariam,Aïssatou,Kadiatou,Hawa,Awa,Bintou,Fanta,Oumou,Djénéba,Assa,Rokia,"
    "Salimata,Mariama,Ramatoulaye,Khady,Ndeye,Coumba,Adja,Astou,Grâce,Esther,Bénédicte,Chantal,"
    "Merveille,Divine,Prisca,Josiane,Ornella,Maïmouna,Fatou,Aïcha,Néné,Safiatou,Sira,Korotoum,"
    "Binta,Nafissatou,Aïssata";

// ---- Portugal -----------------------------------------------------------------------------
inline constexpr std::string_view kPortugalSurnames =
    "Da Silva,Dos Santos,Ferreira,Pereira,Rodrigues,Fernandes,Gonçalves,Martins,Lopes,Gomes,"
    "Marques,Alves,De Almeida,Ribeiro,Pinto,Carvalho,Teixeira,Moreira,Correia,Mendes,Nunes,"
    "Soares,Vieira,Monteiro,Cardoso,Rocha,Neves,Coelho,Da Cunha,Pires,Ramos,De Sousa,"
    "De Oliveira,Da Costa,Machado,Fonseca,Azevedo,Baptista,Lourenço,Simões,Magalhães,Cerqueira,"
    "Freitas,Araújo,Barbosa,Tavares,Do Nascimento,Da Cruz,Figueiredo,Dias,Cruz,Esteves";
inline constexpr std::string_view kPortugalMen =
    "José,Manuel,António,João,Joaquim,Fernando,Carlos,Paulo,Luís,Jorge,Francisco,Mário,Rui,"
    "Nuno,Pedro,Tiago,José Manuel,Armando,Domingos,Alberto,Vítor,Abílio,Sérgio,Hélder";
inline constexpr std::string_view kPortugalWomen =
    "Maria,Ana,Isabel,Maria de Fátima,Maria da Conceição,Rosa,Manuela,Fernanda,Paula,Sandra,"
    "Cristina,Sónia,Adelaide,Lurdes,Graça,Helena,Carla,Sílvia,Marisa,Joana,Ana Maria,Olinda,"
    "Albertina,Deolinda,Emília,Filomena,Glória";

// ---- Turkey -------------------------------------------------------------------------------
inline constexpr std::string_view kTurkeySurnames =
    "Yılmaz,Kaya,Demir,Şahin,Çelik,Yıldız,Yıldırım,Öztürk,Aydın,Özdemir,Arslan,Doğan,Kılıç,"
    "Aslan,Çetin,Kara,Koç,Kurt,Özkan,Şimşek,Polat,Korkmaz,Erdoğan,Aksoy,Güneş,Tekin,Ateş,Bulut,"
    "Keskin,Aktaş,Karaca,Akın,Ünal,Uçar,Kaplan,Avcı,Tunç,Gök,Erdem,Bozkurt";
inline constexpr std::string_view kTurkeyMen =
    "Mehmet,Mustafa,Ahmet,Ali,Hüseyin,Hasan,İbrahim,İsmail,Osman,Yusuf,Murat,Ömer,Emre,Burak,"
    "Kemal,Recep,Selim,Serkan,Halil,Süleyman,Ramazan,Cengiz,Erkan,Volkan,Fatih";
inline constexpr std::string_view kTurkeyWomen =
    "Fatma,Ayşe,Emine,Hatice,Zeynep,Elif,Meryem,Şerife,Zehra,Hülya,Özlem,Esra,Gül,Sultan,"
    "Derya,Büşra,Merve,Songül,Hanife,Nurten,Sevgi,Gülsüm,Dilek,Ebru,Yasemin";

// ---- Vietnam and South-East Asia (given names are given after the middle name) --------------
inline constexpr std::string_view kVietnamSurnames =
    "Nguyễn,Trần,Lê,Phạm,Hoàng,Huỳnh,Phan,Vũ,Võ,Đặng,Bùi,Đỗ,Hồ,Ngô,Dương,Lý,Trương,Đinh,"
    "Chen,Lin,Wang,Sok,Chea,Keo";
inline constexpr std::string_view kVietnamMen =
    "Minh,Hùng,Tuấn,Dũng,Hải,Long,Nam,Thanh,Quang,Đức,Sơn,Hiếu,Khánh,Phúc,Vinh,Huy,Bảo,Trung,"
    "Tâm,Cường";
inline constexpr std::string_view kVietnamWomen =
    "Lan,Hoa,Mai,Hương,Linh,Thu,Hạnh,Ngọc,Phương,Anh,Hằng,Thảo,Trang,Yến,Nga,Hà,Liên,Loan,Tuyết,"
    "Dung";

// ---- Eastern Europe (male forms; female forms derived: -ski → -ska, -ov → -ova) --------------
inline constexpr std::string_view kEasternEuropeSurnames =
    "Popescu,Ionescu,Popa,Stan,Dumitru,Constantin,Stoica,Munteanu,Gheorghe,Radu,Lungu,Rusu,"
    "Nowak,Kowalski,Wiśniewski,Wójcik,Kowalczyk,Kamiński,Lewandowski,Zieliński,Szymański,"
    "Petrović,Jovanović,Nikolić,Marković,Đorđević,Ivanov,Petrov,Smirnov,Kovalenko,Shevchenko,"
    "Bondarenko,Melnyk,Horvat,Kovač,Novák,Dvořák,Moldovan,Ciobanu,Mazur,Tkachenko,Sokolov";
inline constexpr std::string_view kEasternEuropeMen =
    "Ion,Gheorghe,Vasile,Constantin,Andrei,Mihai,Marian,Piotr,Tomasz,Jan,Krzysztof,Dmitri,"
    "Sergueï,Oleksandr,Vladimir,Ivan,Nikola,Dragan,Stefan,Adrian,Florin,Bogdan";
inline constexpr std::string_view kEasternEuropeWomen =
    "Maria,Elena,Ioana,Mihaela,Andreea,Anna,Katarzyna,Agnieszka,Olga,Natalia,Tetiana,"
    "Svetlana,Irina,Oksana,Daniela,Gabriela,Ana,Jelena,Milena,Larisa,Alina,Nadia";

// ---- Long tails ----------------------------------------------------------------------------
// The lists above hold the common names only. Real surnames have a very long tail (1.3 million
// surnames in France; "Martin", the first, is 0.4 % of the population), so most persons get a
// rarer name, built from the syllables below, and a less common given name now and then.

inline constexpr std::string_view kFrenchSurnameStarts =
    "Beau,Bel,Bon,Bois,Brun,Cham,Char,Chau,Cour,Dela,Des,Du,Fon,Gau,Gran,Gros,Hau,Jou,La,Lan,"
    "Mal,Mar,Mont,Mor,Pel,Per,Pi,Pon,Ri,Ro,Rou,Sau,Tal,Ter,Val,Ver,Vil,Gil,Bou,Cha,Mé,Ber,Fer,"
    "Ca,Ma,Pa,Tor,Ba,Co,Fa,Ga,Lo,No,Que,Sa,Tho,Va";
inline constexpr std::string_view kFrenchSurnameEnds =
    "champ,mont,val,court,ville,lin,let,lot,net,rand,rin,ron,bert,card,chet,det,gnac,lard,mier,"
    "nier,quet,ssier,tier,vet,zet,geot,not,lier,rault,chon,deau,nard,tel,guin,ssard,vin,beau,"
    "doux,lais,teau,reau,rac,ssac,zac,bière,chère,gnon";
inline constexpr std::string_view kFrenchMenRare =
    "Aurélien,Bastien,Cyril,Damien,Édouard,Fabrice,Gaël,Gaëtan,Grégoire,Jean-Marc,Jean-Paul,"
    "Jérémie,Jordan,Lionel,Marius,Mathias,Max,Noël,Régis,Rémi,Rodolphe,Samuel,Simon,Stanislas,"
    "Teddy,Timothée,Tristan,Victor,Vivien,Xavier,Yann,Yoann,Aimé,Alphonse,Armand,Augustin,"
    "Célestin,Cyprien,Désiré,Eugène,Félix,Firmin,Florent,Gustave,Hippolyte,Honoré,Hubert,Jules,"
    "Justin,Léon,Léonce,Norbert,Octave,Pierrick,Prosper,Raphaël,Robin,Romuald,Thibault,"
    "Vianney,Wilfried,Ludovic,Hugues,Lilian,Benoît,Erwan,Ronan,Killian,Gauthier,Anatole";
inline constexpr std::string_view kFrenchWomenRare =
    "Adèle,Agathe,Albane,Alexandra,Alice,Aline,Angèle,Anne-Marie,Armelle,Aude,Axelle,Bérénice,"
    "Blanche,Capucine,Carole,Cassandre,Charlotte,Claudia,Clémence,Constance,Diane,Édith,"
    "Éléonore,Élise,Elsa,Emmanuelle,Fabienne,Flavie,Gaëlle,Georgette,Hortense,Irène,Jocelyne,"
    "Judith,Laure,Léonie,Lydie,Maryse,Mireille,Myriam,Nadège,Noëlle,Odile,Olivia,Ophélie,"
    "Pierrette,Rachel,Régine,Roseline,Sabine,Ségolène,Solène,Sylvaine,Tiphaine,Victoire,"
    "Viviane,Yolande,Zélie,Bernadette,Éveline,Gwenaëlle,Murielle,Rolande,Lise,Maud";

inline constexpr std::string_view kMaghrebSurnameStarts =
    "Ben,Bou,Bel,Ait ,El ,Abd El ,Ould ,Hadj ,Si ,";
inline constexpr std::string_view kMaghrebSurnameRoots =
    "Yahia,Zid,Khalfa,Salem,Aissa,Brahim,Moussa,Ameur,Ghazi,Djellal,Hocine,Kader,Lakhdar,"
    "Mokhtar,Nacer,Rabah,Saad,Tayeb,Yacoub,Ziane,Kacem,Mahdi,Rahal,Chikh,Ferhat,Guendouz,"
    "Hamou,Laid,Madani,Nouri,Radi,Sghir,Taleb,Zaidi,Djaballah,Kheddar,Mekki,Othmane,Abbes,"
    "Bachir,Daoud,Fodil,Ghali,Hachemi,Idir,Jilali,Kamel,Lounes,Mansour,Nadir,Rachedi,Seddik";
inline constexpr std::string_view kAfricaSyllables =
    "Ko,Ba,Ma,Di,Sa,Tou,Ka,Fo,Dou,Ndi,Mbo,Ta,Si,Ke,Ga,Lu,Mu,Nga,Tshi,Ya,Zo,Bi,Dja,Kou";
inline constexpr std::string_view kAfricaEnds =
    "ne,ra,la,mba,ssa,kité,yé,bo,ro,ngo,mbé,ndé,koro,baly,fana,nté,ssé,gui,lenga,mvu,nda,yi";
inline constexpr std::string_view kTurkeyRoots =
    "Kara,Demir,Yıldız,Ak,Gök,Er,Öz,Tan,Kaya,Bal,Çakır,Dur,Ay,Gül,Sarı,Uz,Ata,Bay,Kır,Yurt";
inline constexpr std::string_view kTurkeyEnds =
    "oğlu,ci,er,han,türk,kan,soy,taş,demir,kurt,dağ,bek";
inline constexpr std::string_view kEasternRoots =
    "Pop,Ion,Mar,Vas,Dragom,Stoj,Kov,Nov,Mil,Rad,Bog,Petr,Pav,Sav,Lup,Jur,Kral,Grab,Dub,Mat,"
    "Sok,Zaj,Wol,Kaz,Lis";
inline constexpr std::string_view kEasternEnds =
    "escu,ovici,eanu,ski,czyk,enko,ić,ov,ovski,iak,uk,aru,ec";

}  // namespace allervers::names
