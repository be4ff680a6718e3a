// Output files that are complete or absent: written to a temporary file beside the target and renamed
// over it on commit(). "-" writes to standard output instead, and an existing path that is not a regular
// file (/dev/stdout, a named pipe) is written directly: there is nothing to rename over. A symbolic link to a
// regular file stays a link: the file it points to is replaced.
//
// Durability: commit() fsyncs the temporary file before the rename and the folder after it, so a power cut
// leaves the old file or the new one, never an empty one. Interruption: while a temporary file exists,
// SIGINT, SIGTERM, SIGHUP and SIGPIPE remove it and then end the program by that signal, as they would
// have without ecgad (a signal the caller set to ignore, as nohup does with SIGHUP, stays ignored).
// SIGKILL cannot be caught: it leaves NAME.tmp.XXXXXX behind (the target itself is intact).
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ecgad {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::string path);  // throws ecgad::Error when the folder is not writable
  ~AtomicOutput();                          // removes the temporary file unless committed
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  std::FILE* stream() { return file_; }
  void write(std::string_view text);
  void commit();  // flushes, fsyncs, closes and renames; throws ecgad::Error on any failure
  const std::string& path() const { return path_; }
  bool is_stdout() const { return path_ == "-"; }

 private:
  friend void commit_together(std::initializer_list<AtomicOutput*> outputs);
  void finish();   // flush, fsync and close: everything but the rename
  void install();  // the rename and the folder's fsync, after finish()

  std::string path_, temp_path_;
  std::string target_;  // what is renamed over: path_, or the file a symbolic link at path_ points to
  std::FILE* file_ = nullptr;
  int slot_ = -1;  // this output's entry in the signal handler's table of temporary files
  bool committed_ = false;
  bool direct_ = false;
};

// Commits several outputs that belong together (split's two parts): all of them or none. Every file is
// written out and fsynced before the first rename, so any write error (a full disk, /dev/full) replaces
// nothing. If a later rename fails, the files already renamed get their old contents back (kept meanwhile as
// a hard link NAME.tmp.XXXXXX) or are removed when they did not exist before. SIGINT, SIGTERM, SIGHUP and
// SIGPIPE are held back during the renames. Not covered: a power cut or SIGKILL between two renames (a few
// microseconds) can leave one new file beside one old file; each file on its own is still whole.
void commit_together(std::initializer_list<AtomicOutput*> outputs);

// A command-line path and the name the user knows it by ("DATA", "-o", "--test-out"), for messages.
struct NamedPath {
  std::string what;
  std::string path;
  std::string may_be{};  // an output only: the `what` of an input it may be (threshold's -o rewriting -m)
};

// Throws ecgad::Error when an output is the same file as an input or as another output, comparing device
// and inode (so "a.csv", "./a.csv", a symbolic link and a hard link to it are all the same file), before
// anything is read or written. Only existing regular files are compared: an output that does not exist yet
// cannot hold anything, and special files (/dev/null, /dev/stdout, a pipe) are written in place, never
// replaced. An input "-" is checked as whatever standard input is; an output "-" is skipped.
void refuse_same_file(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// Throws ecgad::Error unless `path` ("-" is always fine) could be written: its folder exists and is writable,
// and it is not a folder itself. For checks before long work (training), so that a typo in -o fails at once.
void check_can_write(const std::string& path, const std::string& option);

// Reads a whole file ("-" = standard input) into memory; throws ecgad::Error when it cannot, or when it holds more
// than `max_bytes` (what ecgad reads whole is bounded: `/dev/zero` or `yes |` must end, not fill the memory), the
// message saying what it was read as (`what`: "a WFDB header").
std::string read_file(const std::string& path, std::size_t max_bytes = static_cast<std::size_t>(-1),
                      const char* what = "input");

}  // namespace ecgad
