#include "ecgad/value_spec.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>
#include <utility>

#include "ecgad/csv_number.h"

namespace ecgad {
namespace {

// The shortest text that reads back to the same double, as Python's repr writes it: 0.0001, 1e-05, 20.0 as 20.
std::string shortest(double value) { return fmt::format("{}", value); }

std::string word_list(const std::vector<std::string>& words) {
  std::string list;
  for (std::size_t i = 0; i < words.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  }
  return list;
}

std::string whole_range(const ValueSpec& spec) {
  return " from " + std::to_string(spec.whole_low) + " to " + std::to_string(spec.whole_high);
}

bool in_number_range(const ValueSpec& spec, double value) {
  bool above_low = spec.low_open ? value > spec.low : value >= spec.low;
  bool below_high = spec.high_open ? value < spec.high : value <= spec.high;
  return above_low && below_high;
}

// A whole number: an optional '+', digits; "-5" is a whole number out of range, not a malformed one.
std::string check_whole(const ValueSpec& spec, std::string& text) {
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  const bool negative = !digits.empty() && digits[0] == '-' && text[0] != '+';
  if (negative) digits.remove_prefix(1);
  std::uint64_t value = 0;
  auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  const bool whole = !digits.empty() && digits[0] != '-' && digits[0] != '+' &&
                     parsed.ptr == digits.data() + digits.size() &&
                     (parsed.ec == std::errc() || parsed.ec == std::errc::result_out_of_range);
  const std::string got = ", got '" + text + "'";
  if (!whole) return "expected a whole number" + (spec.name_high ? whole_range(spec) : "") + got;
  const bool too_large = parsed.ec != std::errc() || value > spec.whole_high;
  if (negative || too_large || value < spec.whole_low) {
    return "expected a whole number" +
           (too_large || spec.name_high ? whole_range(spec) : " of at least " + std::to_string(spec.whole_low)) + got;
  }
  text = std::to_string(value);
  return {};
}

std::string shown(const nlohmann::json& value) {
  return value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
}

std::string check_one_json(const ValueSpec& spec, const nlohmann::json& value) {
  bool good = false;
  switch (spec.type) {
    case ValueSpec::Type::whole:
      good = value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
      good = good && value.get<std::uint64_t>() >= spec.whole_low && value.get<std::uint64_t>() <= spec.whole_high;
      break;
    case ValueSpec::Type::number:
      good = value.is_number() && std::isfinite(value.get<double>()) && in_number_range(spec, value.get<double>());
      break;
    case ValueSpec::Type::word:
      good = value.is_string();
      if (good) {
        good = false;
        for (const std::string& w : spec.words) good = good || value.get<std::string>() == w;
      }
      break;
    case ValueSpec::Type::text:
      good = value.is_string() && (!spec.check || spec.check(value.get<std::string>()).empty());
      break;
    case ValueSpec::Type::shape: good = true; break;
  }
  return good ? std::string() : "expected " + expected(spec) + ", got " + shown(value);
}

}  // namespace

ValueSpec whole(std::uint64_t low, std::uint64_t high) {
  ValueSpec spec;
  spec.type = ValueSpec::Type::whole;
  spec.whole_low = low;
  spec.whole_high = high;
  spec.value_name = std::to_string(low) + ".." + std::to_string(high);
  return spec;
}

ValueSpec count(std::uint64_t low, std::uint64_t type_max) {
  ValueSpec spec = whole(low, type_max);
  spec.name_high = false;
  spec.value_name = "POSITIVE";
  return spec;
}

ValueSpec number_range(double low, double high, bool high_open, std::string range) {
  ValueSpec spec;
  spec.type = ValueSpec::Type::number;
  spec.low = low;
  spec.high = high;
  spec.high_open = high_open;
  spec.range = std::move(range);
  spec.value_name = "X";
  return spec;
}

ValueSpec any_number() {
  return number_range(-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), false,
                      "a number");
}

ValueSpec positive() {
  ValueSpec spec = number_range(0, std::numeric_limits<double>::infinity(), false, "a positive number");
  spec.low_open = true;
  spec.value_name = "POSITIVE";
  return spec;
}

ValueSpec non_negative() {
  ValueSpec spec = number_range(0, std::numeric_limits<double>::infinity(), false, "a number of at least 0");
  spec.value_name = "NON-NEGATIVE";
  return spec;
}

ValueSpec one_of(std::vector<std::string> words) {
  ValueSpec spec;
  spec.type = ValueSpec::Type::word;
  spec.words = std::move(words);
  spec.value_name.clear();
  for (const std::string& w : spec.words) spec.value_name += (spec.value_name.empty() ? "" : "|") + w;
  return spec;
}

ValueSpec list_of(ValueSpec item) {
  item.list = true;
  return item;
}

ValueSpec named(ValueSpec spec, std::string value_name) {
  spec.value_name = std::move(value_name);
  return spec;
}

ValueSpec file_name() {
  ValueSpec spec;
  spec.value_name = "FILE";
  return spec;
}

ValueSpec checked_text(std::string (*check)(const std::string&), std::vector<std::string> suggestions,
                       std::string value_name) {
  ValueSpec spec;
  spec.check = check;
  spec.words = std::move(suggestions);
  spec.value_name = std::move(value_name);
  return spec;
}

ValueSpec shape() {
  ValueSpec spec;
  spec.type = ValueSpec::Type::shape;
  return spec;
}

std::string expected(const ValueSpec& spec) {
  switch (spec.type) {
    case ValueSpec::Type::whole:
      return "a whole number" + (spec.name_high ? whole_range(spec) : " of at least " + std::to_string(spec.whole_low));
    case ValueSpec::Type::number: return spec.range;
    case ValueSpec::Type::word: return word_list(spec.words);
    case ValueSpec::Type::text: return "text";
    case ValueSpec::Type::shape: break;
  }
  return "what the model kind takes";
}

std::string check_text(const ValueSpec& spec, std::string& text) {
  switch (spec.type) {
    case ValueSpec::Type::whole: return check_whole(spec, text);
    case ValueSpec::Type::number: {
      FieldNumber number = parse_number(text);
      if (number.status != FieldNumber::ok || !in_number_range(spec, number.value)) {
        return "expected " + spec.range + ", got '" + text + "'";
      }
      text = shortest(number.value);
      return {};
    }
    case ValueSpec::Type::word:
      for (const std::string& w : spec.words) {
        if (text == w) return {};
      }
      return "expected " + word_list(spec.words) + ", got '" + text + "'";
    case ValueSpec::Type::text: return spec.check ? spec.check(text) : std::string();
    case ValueSpec::Type::shape: break;
  }
  return "this option takes no value from the command line";
}

nlohmann::json to_json(const ValueSpec& spec, const std::vector<std::string>& checked) {
  auto one = [&](const std::string& text) -> nlohmann::json {
    switch (spec.type) {
      case ValueSpec::Type::whole: return static_cast<std::int64_t>(std::stoull(text));
      case ValueSpec::Type::number: return parse_number(text).value;
      default: return text;
    }
  };
  if (!spec.list) return checked.empty() ? nlohmann::json() : one(checked.front());
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& text : checked) list.push_back(one(text));
  return list;
}

std::string check_json(const ValueSpec& spec, const nlohmann::json& value) {
  if (!spec.list) return check_one_json(spec, value);
  if (!value.is_array()) return "expected a list of " + expected(spec) + ", got " + shown(value);
  for (const nlohmann::json& item : value) {
    std::string why = check_one_json(spec, item);
    if (!why.empty()) return why;
  }
  return {};
}

std::string to_text(const nlohmann::json& value) {
  if (value.is_array()) {
    std::string text;
    for (const nlohmann::json& item : value) text += (text.empty() ? "" : ",") + to_text(item);
    return text;
  }
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return shortest(value.get<double>());
  return value.dump();
}

}  // namespace ecgad
