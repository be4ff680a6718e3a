#include "ecgad/text.h"

#include <cmath>
#include <cstdint>

namespace ecgad {

std::string fixed4(double value) { return std::isfinite(value) ? fmt::format("{:.4f}", value) : "n/a"; }

std::string general(double value, int precision) { return fmt::format("{:.{}g}", value, precision); }

std::string escape_xml(std::string_view text) {
  static const char* const kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out += kReplacement;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    bool ok = len > 0 && i + len <= text.size();
    std::uint32_t cp = c & (0x7Fu >> len);
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto b = static_cast<unsigned char>(text[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

namespace {

const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

}  // namespace

std::string json_text(const nlohmann::json& j) {
  if (j.is_null()) return "none";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  if (j.is_object()) {  // {"name": "adam", "beta1": 0.9} -> "adam (beta1 0.9)"; "from" heads like "name"
    const char* head_key = member(j, "name").is_string() ? "name" : "from";
    std::string out;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == head_key && it.value().is_string()) continue;
      out += (out.empty() ? "" : ", ") + it.key() + " " + json_text(it.value());
    }
    const nlohmann::json& name = member(j, head_key);
    if (!name.is_string()) return out;
    return out.empty() ? name.get<std::string>() : name.get<std::string>() + " (" + out + ")";
  }
  if (j.is_number_float()) return general(j.get<double>(), 6);
  if (j.is_array()) {
    std::string out;
    for (const nlohmann::json& item : j) out += (out.empty() ? "" : ", ") + json_text(item);
    return "[" + out + "]";
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // integers
}

}  // namespace ecgad
