// Output files that are complete or absent: written to a temporary file beside the target and renamed
// over it on commit(). "-" writes to standard output instead, and an existing path that is not a regular
// file (/dev/stdout, a named pipe) is written directly: there is nothing to rename over. A symbolic link to a
// regular file stays a link: the file it points to is replaced.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace ecgad {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::string path);  // throws ecgad::Error when the folder is not writable
  ~AtomicOutput();                          // removes the temporary file unless committed
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  std::FILE* stream() { return file_; }
  void write(std::string_view text);
  void commit();  // flushes, closes and renames; throws ecgad::Error on any failure
  const std::string& path() const { return path_; }
  bool is_stdout() const { return path_ == "-"; }

 private:
  std::string path_, temp_path_;
  std::string target_;  // what is renamed over: path_, or the file a symbolic link at path_ points to
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  bool direct_ = false;
};

// Reads a whole file ("-" = standard input) into memory; throws ecgad::Error when it cannot.
std::string read_file(const std::string& path);

}  // namespace ecgad
