// libFuzzer harness for the EDF/EDF+/BDF reader: any file must read or give an ecgad::Error, never a crash, a
// sanitizer report or a memory bomb. The bytes are written to a temporary file (EDFlib reads files by path) and
// read as ecgad beats would: the header, the first signal (EDFlib's path, or ecgad's own for EDF+D), and the beat
// annotations.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ecgad/edf.h"
#include "ecgad/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/ecgad_edf_fuzz_" + std::to_string(::getpid()) + ".edf";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    ecgad::EdfInfo info = ecgad::read_edf_info(path);
    if (!info.signals.empty()) {
      (void)ecgad::read_edf_lead(path, 0, 60.0);
      (void)ecgad::read_edf_beat_annotations(path, info.signals[0].fs);
    }
  } catch (const ecgad::Error&) {
  }
  return 0;
}
