#include <gtest/gtest.h>

#include "domain/role.hpp"
#include "domain/structure.hpp"
#include "domain/user.hpp"

namespace allervers::domain {
namespace {

bool HasError(const FieldErrors& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) {
      return true;
    }
  }
  return false;
}

TEST(Roles, ParseEveryCodeAndRejectOthers) {
  for (auto r : {Role::kIntervenant, Role::kCoordinateur, Role::kPrescripteur, Role::kPilote,
                 Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleCode(r)), r);
    EXPECT_FALSE(RoleLabel(r).empty());
  }
  EXPECT_FALSE(ParseRole("superviseur"));
  EXPECT_FALSE(ParseRole("Admin"));
}

TEST(RoleFitsStructure, KeepsTeamAtTheOperatorAndReferrersOutside) {
  EXPECT_TRUE(RoleFitsStructure(Role::kIntervenant, StructureKind::kOperateur));
  EXPECT_FALSE(RoleFitsStructure(Role::kIntervenant, StructureKind::kSsd));
  EXPECT_FALSE(RoleFitsStructure(Role::kCoordinateur, std::nullopt));
  EXPECT_TRUE(RoleFitsStructure(Role::kPrescripteur, StructureKind::kPartenaire));
  EXPECT_FALSE(RoleFitsStructure(Role::kPrescripteur, StructureKind::kOperateur));
  EXPECT_TRUE(RoleFitsStructure(Role::kPilote, StructureKind::kSsd));
  EXPECT_TRUE(RoleFitsStructure(Role::kPilote, std::nullopt));
  EXPECT_FALSE(RoleFitsStructure(Role::kPilote, StructureKind::kPartenaire));
  EXPECT_TRUE(RoleFitsStructure(Role::kAdmin, std::nullopt));
}

TEST(ValidateStructure, NormalisesAndAcceptsAGoodStructure) {
  StructureInput in{"  ssd-cergy ", "  Service social de Cergy ", "ssd", " Cergy "};
  EXPECT_TRUE(ValidateStructure(in).empty());
  EXPECT_EQ(in.code, "SSD-CERGY");
  EXPECT_EQ(in.name, "Service social de Cergy");
  EXPECT_EQ(in.territory, "Cergy");
}

TEST(ValidateStructure, ReportsEveryBadField) {
  StructureInput in{"é!", "", "mairie", std::string(101, 'x')};
  const auto errors = ValidateStructure(in);
  EXPECT_TRUE(HasError(errors, "code"));
  EXPECT_TRUE(HasError(errors, "name"));
  EXPECT_TRUE(HasError(errors, "kind"));
  EXPECT_TRUE(HasError(errors, "territory"));
}

TEST(ValidateStructure, RefusesControlCharactersAndBadUtf8) {
  StructureInput control{"AB", std::string("Nom\x01", 4), "ssd", ""};
  EXPECT_TRUE(HasError(ValidateStructure(control), "name"));
  StructureInput latin1{"AB", std::string("Caf\xE9", 4), "ssd", ""};
  EXPECT_TRUE(HasError(ValidateStructure(latin1), "name"));
}

TEST(Email, IsNormalisedAndChecked) {
  EXPECT_EQ(NormalizeEmail("  Claire.Lefevre@EMN-Cergy.example "),
            "claire.lefevre@emn-cergy.example");
  EXPECT_TRUE(IsPlausibleEmail("a.b@c.fr"));
  EXPECT_FALSE(IsPlausibleEmail("a.b@c"));
  EXPECT_FALSE(IsPlausibleEmail("@c.fr"));
  EXPECT_FALSE(IsPlausibleEmail("a@@c.fr"));
  EXPECT_FALSE(IsPlausibleEmail("a b@c.fr"));
  EXPECT_FALSE(IsPlausibleEmail("a@c.fr."));
  EXPECT_FALSE(IsPlausibleEmail("a@c.fr>,b@d.fr"));
}

TEST(ParseFte, AcceptsFrenchAndEnglishDecimalsInRange) {
  EXPECT_EQ(ParseFte("0,5"), 0.5);
  EXPECT_EQ(ParseFte("0.75"), 0.75);
  EXPECT_EQ(ParseFte(" 1 "), 1.0);
  EXPECT_FALSE(ParseFte("0"));
  EXPECT_FALSE(ParseFte("1,5"));
  EXPECT_FALSE(ParseFte("-0.5"));
  EXPECT_FALSE(ParseFte("demi"));
  EXPECT_FALSE(ParseFte("0.5x"));
  EXPECT_FALSE(ParseFte(""));
}

TEST(ValidateUserFields, AcceptsAWorker) {
  UserInput in{" Yanis.Benali@EMN.example ", " Yanis Benali ", "intervenant", "EMN-CERGY", "0,5"};
  EXPECT_TRUE(ValidateUserFields(in).empty());
  EXPECT_EQ(in.email, "yanis.benali@emn.example");
  EXPECT_EQ(in.display_name, "Yanis Benali");
}

TEST(ValidateUserFields, ReportsEveryBadField) {
  UserInput in{"pas-une-adresse", "", "chef", "", "2"};
  const auto errors = ValidateUserFields(in);
  EXPECT_TRUE(HasError(errors, "email"));
  EXPECT_TRUE(HasError(errors, "display_name"));
  EXPECT_TRUE(HasError(errors, "role"));
  EXPECT_TRUE(HasError(errors, "fte"));
}

TEST(ValidateUserFields, RefusesFteForReferrers) {
  UserInput in{"a@b.fr", "A B", "prescripteur", "SSD", "1"};
  EXPECT_TRUE(HasError(ValidateUserFields(in), "fte"));
}

}  // namespace
}  // namespace allervers::domain
