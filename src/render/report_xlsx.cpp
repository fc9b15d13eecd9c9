#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "common/error.hpp"
#include "common/text.hpp"
#include "render/report.hpp"

namespace allervers::render {
namespace {

using nlohmann::json;

[[noreturn]] void Fail(const std::string& detail) {
  throw Error(ErrorCode::kInternal, "Le classeur n’a pas pu être créé.", "report_xlsx: " + detail);
}

// libxlsxwriter 1.1.4 (Debian 12) writes to a file only: a private temporary file, read back
// and removed.
class TempFile {
 public:
  TempFile() {
    const auto dir = std::filesystem::temp_directory_path();
    std::string pattern = (dir / "allervers-report-XXXXXX.xlsx").string();
    const int fd = mkstemps(pattern.data(), 5);
    if (fd < 0) {
      Fail("mkstemps");
    }
    close(fd);
    path_ = pattern;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A sheet name: at most 31 characters, none of []:*?/\, unique in the workbook.
std::string SheetName(const std::string& title, std::set<std::string>& used) {
  std::string clean;
  for (const char c : title) {
    clean += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '-';
  }
  // Truncate adds "…" when it cuts: 30 characters and the ellipsis make 31.
  std::string name = text::CodePointCount(clean) > 31 ? text::Truncate(clean, 30) : clean;
  for (int n = 2; used.contains(name); ++n) {
    name = text::Truncate(clean, 25) + " (" + std::to_string(n) + ")";
  }
  used.insert(name);
  return name;
}

class Sheet {
 public:
  Sheet(lxw_worksheet* ws, lxw_format* bold, lxw_format* title, lxw_format* wrap)
      : ws_(ws), bold_(bold), title_(title), wrap_(wrap) {}

  void Text(const std::string& s, lxw_format* f = nullptr, lxw_col_t col = 0) {
    worksheet_write_string(ws_, row_, col, s.c_str(), f);
  }
  void Next(int n = 1) { row_ += static_cast<lxw_row_t>(n); }

  void Title(const std::string& s) {
    Text(s, title_);
    Next(2);
  }

  // Numbers as numbers (a spreadsheet can add them up), "< 5" and « non calculé » as text.
  void Cell(const json& v, lxw_col_t col) {
    if (v.is_number()) {
      worksheet_write_number(ws_, row_, col, v.get<double>(), nullptr);
    } else {
      Text(FormatCell(v), nullptr, col);
    }
  }

  void Table(const json& table) {
    Text(table.at("title").get<std::string>(), bold_);
    Next();
    lxw_col_t col = 1;
    for (const auto& c : table.at("columns")) {
      Text(c.get<std::string>(), bold_, col++);
    }
    Next();
    for (const auto& r : table.at("rows")) {
      Text(r.at("label").get<std::string>());
      col = 1;
      for (const auto& c : r.at("cells")) {
        Cell(c, col++);
      }
      Next();
    }
    if (table.at("rows").empty()) {
      Text("Aucune donnée sur la période.");
      Next();
    }
    Next();
  }

  void Paragraph(const std::string& s) {
    Text(s, wrap_);
    Next();
  }

 private:
  lxw_worksheet* ws_;
  lxw_format* bold_;
  lxw_format* title_;
  lxw_format* wrap_;
  lxw_row_t row_ = 0;
};

}  // namespace

std::string RenderReportXlsx(const ReportModel& r) {
  if (!r.is_object() || !r.contains("sections") || !r.contains("texts") || !r.contains("annex")) {
    throw Error(ErrorCode::kInvalidArgument, "Le bilan ne peut pas être mis en forme.",
                "report_xlsx: malformed model");
  }
  TempFile file;
  lxw_workbook* wb = workbook_new(file.path().c_str());
  if (wb == nullptr) {
    Fail("workbook_new");
  }
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 14);
  lxw_format* wrap = workbook_add_format(wb);
  format_set_text_wrap(wrap);
  format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
  std::set<std::string> used;
  const auto add = [&](const std::string& name, double first_width) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, SheetName(name, used).c_str());
    if (ws == nullptr) {
      Fail("workbook_add_worksheet");
    }
    worksheet_set_column(ws, 0, 0, first_width, nullptr);
    worksheet_set_column(ws, 1, 6, 16, nullptr);
    return Sheet(ws, bold, title, wrap);
  };

  Sheet summary = add("Synthèse", 90);
  summary.Title(r.at("title").get<std::string>() + " — " + r.at("team").get<std::string>());
  summary.Text(r.at("period_label").get<std::string>());
  summary.Next();
  summary.Text(r.at("generated_label").get<std::string>());
  summary.Next();
  if (!r.at("notice").get<std::string>().empty()) {
    summary.Paragraph(r.at("notice").get<std::string>());
  }
  summary.Next();
  if (!r.at("targets").empty()) {
    json targets = {{"title", "Objectifs de l’année"},
                    {"columns", {"Objectif annuel", "Prorata", "Réalisé depuis le 1er janvier"}},
                    {"rows", json::array()}};
    for (const auto& t : r.at("targets")) {
      targets["rows"].push_back({{"label", t.at("label")},
                                 {"cells", {t.at("target"), t.at("pro_rata"), t.at("actual")}}});
    }
    summary.Table(targets);
  }
  for (const auto& t : r.at("texts")) {
    summary.Text(t.at("title").get<std::string>(), bold);
    summary.Next();
    const auto body = t.at("text").get<std::string>();
    summary.Paragraph(body.empty() ? "Non renseigné." : body);
    summary.Next();
  }
  for (const auto& section : r.at("sections")) {
    Sheet sheet = add(section.at("title").get<std::string>(), 55);
    sheet.Title(section.at("title").get<std::string>());
    for (const auto& table : section.at("tables")) {
      sheet.Table(table);
    }
  }
  Sheet annex = add("Méthodologie", 110);
  for (const auto& a : r.at("annex")) {
    annex.Title(a.at("title").get<std::string>());
    for (const auto& p : a.at("paragraphs")) {
      annex.Paragraph(p.get<std::string>());
    }
    annex.Next();
  }
  if (const lxw_error e = workbook_close(wb); e != LXW_NO_ERROR) {
    Fail(lxw_strerror(e));
  }
  std::ifstream in(file.path(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    Fail("empty workbook");
  }
  return bytes;
}

}  // namespace allervers::render
