// An input's bytes as read from a file or standard input, inflated on the way when they are gzip-compressed
// (recognised by their first two bytes, 1f 8b, whatever the name), so that every reader takes `.gz` files and
// `zcat`-less pipes alike. Streaming: memory stays a few buffers whatever the input's length.
#pragma once

#include <zlib.h>

#include <cstdio>
#include <string>
#include <vector>

namespace ecgad {

class InputBytes {
 public:
  // "-" reads standard input (never closed). Throws ecgad::Error "cannot open 'PATH': ..." now, and reads the
  // first two bytes to tell gzip from plain text.
  explicit InputBytes(const std::string& path);
  ~InputBytes();
  InputBytes(const InputBytes&) = delete;
  InputBytes& operator=(const InputBytes&) = delete;

  // Fills `buffer` with up to `size` bytes of the (inflated) input; fewer only at its end. Throws ecgad::Error
  // on a read error, and "NAME: corrupt or truncated gzip stream (...)" on a bad compressed stream.
  std::size_t read(char* buffer, std::size_t size);
  bool gzip() const { return gzip_; }

 private:
  std::size_t read_raw(char* buffer, std::size_t size);
  [[noreturn]] void corrupt(const char* why) const;

  std::string name_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  std::string peeked_;  // bytes read to look at the magic, handed out first
  bool gzip_ = false;
  bool raw_end_ = false;
  bool member_end_ = false;  // a gzip member has just ended: another may follow (gzip allows concatenation)
  bool padded_ = false;      // zero bytes followed the last member
  z_stream zs_{};
  std::vector<unsigned char> in_;  // compressed bytes read, not yet inflated
};

// True when the file at `path` starts with the gzip magic bytes (false for "-" and unreadable files).
bool starts_with_gzip_magic(const std::string& path);

}  // namespace ecgad
