// What the value of an option may be, declared once and read in one voice: on the command line (`--latent 0`)
// and in a model's architecture (a model file's "latent": 0) the same declaration checks it and the same words
// say what is wrong ("expected a whole number from 1 to 65536, got '0'"). Numbers follow csv_number.h's grammar.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ecgad {

struct ValueSpec {
  enum class Type {
    text,    // any text (a file name), or what `check` accepts
    whole,   // a whole number in [whole_low, whole_high]
    number,  // a finite number in [low, high] (either end open)
    word,    // one of `words`
    shape,   // JSON that only the model kind can check (a list of layers): no flag takes it
  };
  Type type = Type::text;
  bool list = false;  // a comma-separated list of such values (--layers 32,16,8): a JSON array
  std::uint64_t whole_low = 0, whole_high = std::numeric_limits<std::uint64_t>::max();
  bool name_high = true;  // whole: say the upper bound whatever the mistake (false: only when it is exceeded)
  double low = -std::numeric_limits<double>::infinity(), high = std::numeric_limits<double>::infinity();
  bool low_open = false, high_open = false;
  std::string range;               // number: how the range reads ("a positive number")
  std::vector<std::string> words;  // word: the values; text: what the completion suggests (may be empty)
  std::string (*check)(const std::string& text) = nullptr;  // text: "" when good, else why not
  std::string value_name = "TEXT";                          // for --help: POSITIVE, SEED, mae|mse...
};

// Declarations, as an option reads them. whole(1, 65536): "a whole number from 1 to 65536".
ValueSpec whole(std::uint64_t low, std::uint64_t high);
// A count with no upper bound but its type's: "a whole number of at least 1" (the bound is named when exceeded).
ValueSpec count(std::uint64_t low, std::uint64_t type_max);
ValueSpec any_number();                                                              // "a number"
ValueSpec positive();                                                                // "a positive number"
ValueSpec non_negative();                                                            // "a number of at least 0"
ValueSpec number_range(double low, double high, bool high_open, std::string range);  // [low, high] or [low, high)
ValueSpec one_of(std::vector<std::string> words);                                    // "mae, mse or bce"
ValueSpec list_of(ValueSpec item);                                                   // "32,16,8"
ValueSpec file_name();
ValueSpec checked_text(std::string (*check)(const std::string&), std::vector<std::string> suggestions,
                       std::string value_name);
ValueSpec shape();
// The same, named in --help by `value_name` ("SEED", "ROWS").
ValueSpec named(ValueSpec spec, std::string value_name);

// What a good value is, for messages and help: "a whole number from 1 to 65536", "mae, mse or bce".
std::string expected(const ValueSpec& spec);

// Command-line text: "" when `text` is a value of `spec`, else "expected ..., got 'text'". A good number is
// rewritten in plain decimal (CLI11 reads "010" as octal and "+1" not at all). A list's items are checked one by
// one (the caller splits it).
std::string check_text(const ValueSpec& spec, std::string& text);
// A checked text as JSON (a list: its items, already split): 32 -> 32, "0.5" -> 0.5, "mae" -> "mae".
nlohmann::json to_json(const ValueSpec& spec, const std::vector<std::string>& checked);
// A JSON value (an architecture's): "" when it is a value of `spec`, else "expected ..., got 0".
std::string check_json(const ValueSpec& spec, const nlohmann::json& value);
// A JSON value as command-line text: [32, 16, 8] -> "32,16,8", 0.001 -> "0.001".
std::string to_text(const nlohmann::json& value);

}  // namespace ecgad
