#include "ecgad/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "ecgad/error.h"

namespace ecgad {

AtomicOutput::AtomicOutput(std::string path) : path_(std::move(path)) {
  if (is_stdout()) {
    file_ = stdout;
    return;
  }
  if (path_.empty()) throw Error("an output path is empty");
  struct stat info;
  bool exists = ::stat(path_.c_str(), &info) == 0;
  if (exists && S_ISREG(info.st_mode)) {
    // A link to a regular file: replace the file it points to, not the link itself.
    std::unique_ptr<char, void (*)(void*)> target(::realpath(path_.c_str(), nullptr), &std::free);
    if (target) target_ = target.get();
  }
  if (exists && !S_ISREG(info.st_mode)) {
    // /dev/stdout, a named pipe, a terminal: nothing to rename over, so write to it directly.
    if (S_ISDIR(info.st_mode)) throw Error("cannot write '" + path_ + "': it is a directory");
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
    direct_ = true;
    return;
  }
  if (target_.empty()) target_ = path_;
  std::string pattern = target_ + ".tmp.XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
  temp_path_ = pattern;
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    ::close(fd);
    ::unlink(temp_path_.c_str());
    throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
  }
  // mkstemp makes 0600 files; a saved model or result should get the usual permissions.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
}

AtomicOutput::~AtomicOutput() {
  if (committed_ || is_stdout()) return;
  if (file_) std::fclose(file_);
  if (!direct_) ::unlink(temp_path_.c_str());
}

void AtomicOutput::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
  }
}

void AtomicOutput::commit() {
  if (is_stdout()) {
    if (std::fflush(stdout) != 0) throw Error(std::string("cannot write to standard output: ") + std::strerror(errno));
    committed_ = true;
    return;
  }
  if (direct_) {
    bool flushed = std::fflush(file_) == 0;
    int saved = errno;
    bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) throw Error("cannot write '" + path_ + "': " + std::strerror(flushed ? errno : saved));
    committed_ = true;
    return;
  }
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  int saved_errno = errno;
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (!ok || ::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    if (ok) saved_errno = errno;
    ::unlink(temp_path_.c_str());
    throw Error("cannot write '" + path_ + "': " + std::strerror(saved_errno));
  }
  committed_ = true;
}

std::string read_file(const std::string& path) {
  std::FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!raw) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(raw, path == "-" ? [](std::FILE*) { return 0; } : &std::fclose);
  std::string content;
  char buffer[1 << 16];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, raw)) > 0) content.append(buffer, got);
  if (std::ferror(raw)) throw Error("cannot read '" + path + "': " + std::strerror(errno));
  return content;
}

}  // namespace ecgad
