#include "render/template_engine.hpp"

#include <fstream>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.hpp"

namespace allervers::render {
namespace {

namespace mstch = kainjow::mustache;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mstch::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mstch::data obj{mstch::data::type::object};
      for (const auto& [key, value] : j.items()) {
        obj.set(key, ToData(value));
      }
      return obj;
    }
    case nlohmann::json::value_t::array: {
      mstch::data list{mstch::data::type::list};
      for (const auto& item : j) {
        list.push_back(ToData(item));
      }
      return list;
    }
    case nlohmann::json::value_t::string: {
      // kainjow treats "" as true in sections; an empty string is false here, as in most
      // mustache implementations, so that {{#territory}}…{{/territory}} hides empty values.
      // A false value renders as nothing in a {{variable}} tag, like "".
      const auto& s = j.get_ref<const std::string&>();
      return s.empty() ? mstch::data{mstch::data::type::bool_false} : mstch::data{s};
    }
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? mstch::data{mstch::data::type::bool_true}
                           : mstch::data{mstch::data::type::bool_false};
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return mstch::data{j.dump()};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
    case nlohmann::json::value_t::binary:
      return mstch::data{mstch::data::type::bool_false};
  }
  return mstch::data{mstch::data::type::bool_false};
}

}  // namespace

TemplateEngine::TemplateEngine(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ErrorCode::kInternal, "Dossier des gabarits introuvable : " + dir.string());
  }
  for (const char* kind : {"layouts", "pages", "partials", "mail"}) {
    const auto sub = dir / kind;
    if (!std::filesystem::is_directory(sub, ec)) {
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(sub)) {
      if (entry.path().extension() != ".mustache") {
        continue;
      }
      const std::string name = entry.path().stem().string();
      std::string source = ReadFile(entry.path());
      mstch::mustache check{source};
      if (!check.is_valid()) {
        throw Error(ErrorCode::kInternal, "Gabarit invalide " + entry.path().string(),
                    "invalid template " + entry.path().string() + ": " + check.error_message());
      }
      if (std::string_view(kind) == "partials") {
        partials_[name] = source;
      }
      sources_[std::string(kind) + "/" + name] = std::move(source);
    }
  }
}

std::string TemplateEngine::RenderSource(const std::string& source, const nlohmann::json& data,
                                         const std::string& name) const {
  mstch::mustache tmpl{source};
  mstch::data root = ToData(data.is_object() ? data : nlohmann::json::object());
  for (const auto& [partial_name, partial_source] : partials_) {
    const std::string* src = &partial_source;
    root.set(partial_name, mstch::partial{[src] { return *src; }});
  }
  std::string out = tmpl.render(root);
  if (!tmpl.is_valid()) {
    throw Error(ErrorCode::kInternal, "Erreur interne",
                "template " + name + ": " + tmpl.error_message());
  }
  return out;
}

std::string TemplateEngine::Render(std::string_view kind, std::string_view name,
                                   const nlohmann::json& data) const {
  const std::string key = std::string(kind) + "/" + std::string(name);
  const auto it = sources_.find(key);
  if (it == sources_.end()) {
    throw Error(ErrorCode::kInternal, "Erreur interne", "missing template " + key);
  }
  return RenderSource(it->second, data, key);
}

std::string TemplateEngine::RenderPage(std::string_view page, const nlohmann::json& data,
                                       std::string_view layout) const {
  nlohmann::json with_content = data;
  with_content["content"] = Render("pages", page, data);
  return Render("layouts", layout, with_content);
}

bool TemplateEngine::Has(std::string_view kind, std::string_view name) const {
  return sources_.contains(std::string(kind) + "/" + std::string(name));
}

std::vector<std::string> TemplateEngine::Names() const {
  std::vector<std::string> out;
  for (const auto& [key, source] : sources_) {
    out.push_back(key);
  }
  return out;
}

}  // namespace allervers::render
