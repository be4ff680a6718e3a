#include "input_bytes.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "ecgad/error.h"

namespace ecgad {
namespace {

constexpr std::size_t kCompressedBlock = std::size_t{1} << 16;

bool gzip_magic(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

}  // namespace

InputBytes::InputBytes(const std::string& path) : name_(path == "-" ? "<stdin>" : path) {
  file_ = stdin;
  if (path != "-") {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw Error("cannot open '" + path + "': " + std::strerror(errno));
    owned_ = true;
    std::setvbuf(file_, nullptr, _IONBF, 0);  // the callers read in large blocks: no need for a second buffer
  }
  char magic[2];
  std::size_t n = read_raw(magic, sizeof magic);
  peeked_.assign(magic, n);
  gzip_ = gzip_magic(peeked_);
  if (!gzip_) return;
  // 15 + 16: a gzip wrapper (not zlib's, not raw deflate), the largest window.
  if (inflateInit2(&zs_, 15 + 16) != Z_OK) {
    if (owned_) std::fclose(file_);
    throw Error("cannot read '" + name_ + "': zlib could not start");
  }
  in_.resize(kCompressedBlock);
  zs_.avail_in = 0;
}

InputBytes::~InputBytes() {
  if (gzip_) inflateEnd(&zs_);
  if (owned_) std::fclose(file_);
}

// fread loops over short reads from pipes and terminals, so a short count means the end (or an error).
std::size_t InputBytes::read_raw(char* buffer, std::size_t size) {
  std::size_t from_peek = std::min(size, peeked_.size());
  std::memcpy(buffer, peeked_.data(), from_peek);
  peeked_.erase(0, from_peek);
  if (from_peek == size || raw_end_) return from_peek;
  std::size_t n = std::fread(buffer + from_peek, 1, size - from_peek, file_);
  if (n < size - from_peek) {
    if (std::ferror(file_)) throw Error("cannot read '" + name_ + "': " + std::strerror(errno));
    raw_end_ = true;
  }
  return from_peek + n;
}

void InputBytes::corrupt(const char* why) const {
  throw Error(name_ + ": corrupt or truncated gzip stream (" + why + ")");
}

std::size_t InputBytes::read(char* buffer, std::size_t size) {
  if (!gzip_) return read_raw(buffer, size);
  std::size_t out = 0;
  while (out < size) {
    if (zs_.avail_in == 0 && !(raw_end_ && peeked_.empty())) {
      zs_.next_in = in_.data();
      zs_.avail_in = static_cast<uInt>(read_raw(reinterpret_cast<char*>(in_.data()), in_.size()));
    }
    if (member_end_) {
      // Zero bytes after a member pad the file (tapes, block devices): ignored, as gzip -d and zcat ignore them.
      while (zs_.avail_in > 0 && *zs_.next_in == 0) {
        ++zs_.next_in;
        --zs_.avail_in;
        padded_ = true;
      }
      if (zs_.avail_in == 0) {
        if (raw_end_ && peeked_.empty()) return out;  // the end, right after a whole member (and its padding)
        continue;                                     // more padding, or another member, to read
      }
      if (padded_) corrupt("data after the zero bytes that follow the last member");
      if (inflateReset(&zs_) != Z_OK) corrupt("cannot restart");
      member_end_ = false;
    }
    zs_.next_out = reinterpret_cast<unsigned char*>(buffer + out);
    const auto room = static_cast<uInt>(std::min<std::size_t>(size - out, std::numeric_limits<uInt>::max()));
    zs_.avail_out = room;
    int status = inflate(&zs_, Z_NO_FLUSH);
    out += room - zs_.avail_out;
    if (status == Z_STREAM_END) {
      member_end_ = true;
    } else if (status == Z_BUF_ERROR) {
      // No progress possible: the input is refilled above unless at its end, so it ended inside a member.
      corrupt("unexpected end of file");
    } else if (status != Z_OK) {
      corrupt(zs_.msg ? zs_.msg : "invalid data");
    }
  }
  return out;
}

bool starts_with_gzip_magic(const std::string& path) {
  if (path == "-") return false;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  char magic[2];
  std::size_t n = std::fread(magic, 1, 2, file);
  std::fclose(file);
  return gzip_magic(std::string(magic, n));
}

}  // namespace ecgad
