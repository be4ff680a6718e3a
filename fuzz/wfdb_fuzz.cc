// libFuzzer harness for the WFDB readers: any bytes must parse or give an ecgad::Error, never a crash, a
// sanitizer report or a memory bomb. The first byte picks the reader: a header (.hea text), signal bytes in
// one of the byte-packed formats (decoded for 1 to 4 signals), or an annotation file (.atr, MIT format).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecgad/error.h"
#include "ecgad/wfdb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 3) {
      case 0: (void)ecgad::parse_wfdb_header(bytes, "fuzz.hea"); break;
      case 1: {
        static const int kFormats[] = {212, 16, 80, 61, 8, 24, 32, 160, 310, 311};
        const int format = kFormats[(data[0] / 3) % 10];
        const std::size_t signals = 1 + (data[0] / 12) % 4;
        (void)ecgad::decode_wfdb_samples(bytes, format, signals, "fuzz.dat");
        break;
      }
      default: (void)ecgad::parse_annotations(bytes, "fuzz.atr"); break;
    }
  } catch (const ecgad::Error&) {
  }
  return 0;
}
