#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace allervers::render {

/// A steering report, already worded in French by the caller (web/indicators_json.cpp builds it
/// from the indicators); the writers lay it out and never compute a figure:
///   {title, team, period_label, generated_label, notice,
///    targets: [{label, actual, target, pro_rata}] (may be empty),
///    sections: [{title, tables: [{title, columns: [..], rows: [{label, cells: [..]}]}]}],
///    texts: [{title, text}], annex: [{title, paragraphs: [..]}]}
/// A cell is a number, a string ("< 5") or null (« non calculé »).
using ReportModel = nlohmann::json;

/// A cell as a French reader expects it: "12,5", "1 234", "< 5", "non calculé".
std::string FormatCell(const nlohmann::json& cell);

/// The report as a PDF (A4, Atkinson Hyperlegible): a cover with the key figures and the
/// targets chart, one part per section with its tables, the written parts, the methodology
/// annex; page numbers in the footer. Error(kInvalidArgument) for a malformed model or text
/// that is not UTF-8; Error(kInternal) if cairo fails. The same model gives the same bytes.
std::string RenderReportPdf(const ReportModel& report, const std::filesystem::path& fonts_dir);

/// The same content as an XLSX workbook (libxlsxwriter): a « Synthèse » sheet (the cover, the
/// targets and the written parts), one sheet per section with its tables, numbers stored as
/// numbers, and a « Méthodologie » sheet. Error(kInternal) if the workbook cannot be written.
std::string RenderReportXlsx(const ReportModel& report);

}  // namespace allervers::render
