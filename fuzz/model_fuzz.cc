// libFuzzer harness for the model loader: any bytes must load as a model or give an ecgad::Error, never a
// crash, a sanitizer report, a memory bomb (libFuzzer's -rss_limit_mb) or another exception.
// The checksum would turn away nearly every mutation, so each input is tried twice: as it is, and re-signed
// (any "sha256 ..." trailer replaced by the right one), which is what a hand-edited or crafted model is.
// A model that loads is then described (`ecgad info`) and scores one beat of zeros, where a layer chain that
// does not fit its weights would read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/model_file.h"
#include "ecgad/sha256.h"

namespace {

void load_and_use(const std::string& bytes) {
  try {
    ecgad::TrainedModel model = ecgad::parse_model(bytes, "fuzz");
    (void)ecgad::model_info(model).dump(2);
    const int width = model.input_width();
    if (width > 0 && width <= 100000) {
      std::vector<double> beat(static_cast<std::size_t>(width), 0.0);
      (void)ecgad::reconstruction_errors(model, beat.data(), 1);
    }
  } catch (const ecgad::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  load_and_use(bytes);
  // Re-sign: drop the trailer ("sha256 " + 64 hex + "\n", right after the weights) if there is one.
  constexpr std::size_t kTrailer = 7 + 64 + 1;
  std::string body = bytes;
  if (body.size() >= kTrailer && body.compare(body.size() - kTrailer, 7, "sha256 ") == 0) {
    body.resize(body.size() - kTrailer);
  }
  load_and_use(body + "sha256 " + ecgad::sha256_hex(body) + "\n");
  return 0;
}
