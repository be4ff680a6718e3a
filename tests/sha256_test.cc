#include "ecgad/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace ecgad {
namespace {

// Test vectors from FIPS 180-4's examples (NIST CSRC) and the empty string.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecewiseUpdatesEqualOneUpdate) {
  std::string text(200, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7);
  Sha256 pieces;
  pieces.update(text.substr(0, 3));
  pieces.update(text.substr(3, 61));
  pieces.update(text.substr(64));
  EXPECT_EQ(pieces.hex_digest(), sha256_hex(text));
}

TEST(Sha256, ShippedDataMatchesItsPublishedDigest) {
  EXPECT_EQ(sha256_file_hex(std::string(ECGAD_SOURCE_DIR) + "/data/ecg.csv"),
            "72ce7b040ca0c6ed36c3368e570c6ac4ddf20100476e47373c63b2395e012df1");
}

}  // namespace
}  // namespace ecgad
