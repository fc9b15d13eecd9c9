#pragma once

#include <nlohmann/json.hpp>

#include "domain/reference.hpp"
#include "service/indicator_service.hpp"

namespace allervers::web {

/// The indicators as one JSON document: the API's body (keys in docs/openapi.yaml) and what the
/// dashboard and the CSV are drawn from, so that every output gives the same figures. With
/// `suppress`, counts of persons from 1 to 4 read "< 5" and statistics on fewer than 5 are null
/// (docs/indicators.md §1.4), and intervenants are not named.
nlohmann::json IndicatorsJson(const service::Indicators& ind, const domain::ReferenceData& ref,
                              bool suppress);

/// The report's sections, each a list of tables (title, columns, rows of a label and one cell per
/// column: a number, "< 5", or null for « non calculé »), drawn from IndicatorsJson: the
/// dashboard, the CSV (and the PDF and workbook) show exactly these.
nlohmann::json IndicatorTables(const nlohmann::json& indicators);
/// The tables as CSV rows (section;table;row;column;value), UTF-8 with a BOM, ';' separated,
/// decimal commas, fields that a spreadsheet would read as a formula neutralised.
std::string IndicatorsCsv(const nlohmann::json& indicators);

/// The activities in the column layout of La Coop de la médiation numérique's export (27
/// columns, docs/indicators.md §6), as CSV: UTF-8 with a BOM, ';' separated, formula-safe.
std::string CoopCsv(const std::vector<service::CoopActivity>& rows,
                    const domain::ReferenceData& ref);

/// The quarterly steering report as the PDF and workbook writers take it (render/report.hpp):
/// always under the small-cell rule, since a file leaves the team.
nlohmann::json SteeringReportModel(const service::SteeringReport& report,
                                   const domain::ReferenceData& ref);

}  // namespace allervers::web
