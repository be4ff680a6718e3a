#include "ecgad/text.h"

#include <cmath>
#include <cstdint>

namespace ecgad {

std::string fixed4(double value) { return std::isfinite(value) ? fmt::format("{:.4f}", value) : "n/a"; }

std::string general(double value, int precision) { return fmt::format("{:.{}g}", value, precision); }

bool next_character(std::string_view text, std::size_t at, std::uint32_t& code_point, std::size_t& length) {
  auto c = static_cast<unsigned char>(text[at]);
  length = 1;
  code_point = c;
  if (c < 0x80) return true;
  std::size_t len = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  bool ok = len > 0 && at + len <= text.size();
  std::uint32_t cp = c & (0x7Fu >> len);
  for (std::size_t k = 1; ok && k < len; ++k) {
    auto b = static_cast<unsigned char>(text[at + k]);
    ok = (b & 0xC0) == 0x80;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
  if (!ok) return false;
  code_point = cp;
  length = len;
  return true;
}

bool is_control_character(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool is_plain_text(std::string_view text, bool tab_ok) {
  for (std::size_t i = 0, len = 0; i < text.size(); i += len) {
    std::uint32_t cp = 0;
    if (!next_character(text, i, cp, len)) return false;
    if (is_control_character(cp) && !(tab_ok && cp == '\t')) return false;
  }
  return true;
}

const char* const kLoneCarriageReturn =
    "a carriage return inside a line: are this file's lines ended by CR alone (classic Mac OS)? ecgad reads LF and "
    "CRLF line ends (convert with: tr '\\r' '\\n' < FILE > NEW)";

namespace {

// The one escaping of text from the input: controls as "\x1b" or "\u202e", invalid bytes as "\xNN".
std::string escaped_text(std::string_view text, bool keep_newline_and_tab) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0, len = 0; i < text.size(); i += len) {
    std::uint32_t cp = 0;
    if (!next_character(text, i, cp, len)) {
      append_format(out, "\\x{:02x}", static_cast<unsigned char>(text[i]));
    } else if ((keep_newline_and_tab && (cp == '\n' || cp == '\t')) || !is_control_character(cp)) {
      out.append(text.substr(i, len));
    } else if (cp < 0x100) {
      append_format(out, "\\x{:02x}", cp);
    } else {
      append_format(out, "\\u{:04x}", cp);
    }
  }
  return out;
}

}  // namespace

std::string terminal_text(std::string_view text) { return escaped_text(text, true); }

std::string one_line_text(std::string_view text) { return escaped_text(text, false); }

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0, len = 0; i < text.size(); i += len) {
    std::uint32_t cp = 0;
    out += next_character(text, i, cp, len) ? text.substr(i, len) : "\xEF\xBF\xBD";
  }
  return out;
}

std::string json_dump(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string escape_xml(std::string_view text) {
  static const char* const kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0, len = 0; i < text.size(); i += len) {
    std::uint32_t cp = 0;
    if (!next_character(text, i, cp, len)) {
      out += kReplacement;
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n':
      case '\r': out += static_cast<char>(cp); break;
      default: out += is_control_character(cp) ? std::string_view(kReplacement) : text.substr(i, len);
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
