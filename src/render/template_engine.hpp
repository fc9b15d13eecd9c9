#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace allervers::render {

/// Mustache templates loaded once from `templates/` (layouts/, pages/, partials/).
/// Sources are immutable after construction, so Render() is thread-safe: each call builds
/// its own mustache object. Variables are HTML-escaped; `{{{…}}}` is reserved for HTML
/// the render layer built itself (the page body inside the layout).
class TemplateEngine {
 public:
  /// Loads and parses every template; throws Error(kInternal) naming the first invalid one.
  explicit TemplateEngine(const std::filesystem::path& dir);

  /// Renders `pages/<page>.mustache` inside `layouts/<layout>.mustache` (as `content`).
  std::string RenderPage(std::string_view page, const nlohmann::json& data,
                         std::string_view layout = "base") const;

  /// Renders one template by kind and name ("pages", "error") without a layout.
  std::string Render(std::string_view kind, std::string_view name,
                     const nlohmann::json& data) const;

  bool Has(std::string_view kind, std::string_view name) const;

  /// Names of every template loaded, "pages/login" style (for tests).
  std::vector<std::string> Names() const;

 private:
  std::string RenderSource(const std::string& source, const nlohmann::json& data,
                           const std::string& name) const;

  std::map<std::string, std::string, std::less<>> sources_;   // "pages/login" -> source
  std::map<std::string, std::string, std::less<>> partials_;  // "form_errors" -> source
};

}  // namespace allervers::render
