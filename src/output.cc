#include "ecgad/output.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>

#include "ecgad/error.h"

namespace ecgad {
namespace {

// The temporary files that exist right now, for the signal handler below. This table is ecgad's one global:
// a signal handler receives nothing but the signal number, so what it must clean up has to be reachable from
// static storage. Plain char arrays, no std::string: the handler may interrupt malloc, so it only reads this
// table and calls unlink() and raise(), which are async-signal-safe. ecgad is single-threaded, and the
// table is only written with the cleanup signals blocked, so the handler never sees a half-written slot.
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
struct TempSlot {
  volatile std::sig_atomic_t used;
  char path[PATH_MAX];
};
TempSlot live_temps[8];  // ecgad has at most two outputs open at once (split)

extern "C" void remove_temps_and_reraise(int signal_number) {
  for (TempSlot& slot : live_temps) {
    if (slot.used) ::unlink(slot.path);
  }
  // SA_RESETHAND put the default action back on entry: the re-raised signal ends the program as it would
  // have without ecgad, and the parent sees "killed by SIGINT", not an exit code.
  ::raise(signal_number);
}

// Holds the cleanup signals back for its lifetime; one that arrives meanwhile is delivered at the end.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kCleanupSignals) sigaddset(&set, s);
    ::sigprocmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalBlock() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

// Installs the handler over the default action only: a signal the caller ignores (nohup's SIGHUP) stays
// ignored, and a host program's own handler (a test runner) is left alone. Cheap, so done per output.
void install_cleanup_handlers() {
  for (int s : kCleanupSignals) {
    struct sigaction current;
    if (::sigaction(s, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
    struct sigaction action {};
    action.sa_handler = remove_temps_and_reraise;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    ::sigaction(s, &action, nullptr);
  }
}

// Call with the cleanup signals blocked. Returns the slot, or throws.
int register_temp(const std::string& path) {
  if (path.size() >= PATH_MAX) throw Error("cannot write '" + path + "': the path is too long");
  for (int i = 0; i < static_cast<int>(std::size(live_temps)); ++i) {
    if (live_temps[i].used) continue;
    std::memcpy(live_temps[i].path, path.c_str(), path.size() + 1);
    live_temps[i].used = 1;
    return i;
  }
  throw Error("cannot write '" + path + "': too many output files open at once");
}

void unregister_temp(int slot) {
  if (slot < 0) return;
  SignalBlock hold;
  live_temps[slot].used = 0;
}

// Makes a rename in `file`'s folder durable. Some file systems cannot sync a folder (EINVAL): nothing to do.
void fsync_folder(const std::string& file, const std::string& shown) {
  std::size_t slash = file.find_last_of('/');
  std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // A folder we may write in but not read (mode 0333, -wx): the rename is done and the file whole; only its
  // durability cannot be forced, which is no reason to report a complete write as failed.
  if (fd < 0 && errno == EACCES) return;
  if (fd < 0) throw Error("wrote '" + shown + "', but cannot open its folder to sync it: " + std::strerror(errno));
  bool ok = ::fsync(fd) == 0 || errno == EINVAL || errno == EACCES || errno == EBADF;
  int saved = errno;
  ::close(fd);
  if (!ok) throw Error("wrote '" + shown + "', but cannot sync its folder: " + std::strerror(saved));
}

}  // namespace

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
  if (exists && (info.st_mode & 0222) == 0) {  // renaming over it would work, but its owner said "do not change"
    throw Error("cannot write '" + path_ + "': it is read-only; make it writable (chmod u+w) to replace it");
  }
  std::string pattern = target_ + ".tmp.XXXXXX";
  int fd;
  {
    SignalBlock hold;  // a signal between mkstemp and the registration would leave the file behind
    install_cleanup_handlers();
    fd = ::mkstemp(pattern.data());
    if (fd < 0) throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
    try {
      slot_ = register_temp(pattern);
    } catch (...) {
      ::close(fd);
      ::unlink(pattern.c_str());
      throw;
    }
  }
  temp_path_ = pattern;
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    int saved = errno;
    ::close(fd);
    ::unlink(temp_path_.c_str());
    unregister_temp(slot_);
    throw Error("cannot write '" + path_ + "': " + std::strerror(saved));
  }
  // mkstemp makes 0600 files. A file replaced keeps its mode (a private 0600 model stays private) and, where
  // permitted, its owner and group; a new file gets the usual permissions.
  struct stat old;
  if (::stat(target_.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    if (::fchown(fd, old.st_uid, old.st_gid) != 0 && ::fchown(fd, static_cast<uid_t>(-1), old.st_gid) != 0) {
      // Not the owner (nor in its group): the new file is ours, with the old mode.
    }
    ::fchmod(fd, old.st_mode & 07777);
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
}

AtomicOutput::~AtomicOutput() {
  if (committed_ || is_stdout()) return;
  if (file_) std::fclose(file_);
  if (!direct_) {
    ::unlink(temp_path_.c_str());
    unregister_temp(slot_);
  }
}

void AtomicOutput::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
  }
}

void AtomicOutput::finish() {
  if (is_stdout()) {
    if (std::fflush(stdout) != 0) throw Error(std::string("cannot write to standard output: ") + std::strerror(errno));
    return;
  }
  if (!file_) return;  // finished already
  // fsync before the rename: otherwise a power cut soon after can leave the new name on an empty file.
  bool flushed = std::fflush(file_) == 0 && (direct_ || ::fsync(::fileno(file_)) == 0);
  int saved = errno;
  bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) throw Error("cannot write '" + path_ + "': " + std::strerror(flushed ? errno : saved));
}

void AtomicOutput::commit() {
  finish();
  if (!is_stdout() && !direct_) {
    if (::rename(temp_path_.c_str(), target_.c_str()) != 0) {
      int saved = errno;
      ::unlink(temp_path_.c_str());
      unregister_temp(slot_);
      slot_ = -1;
      throw Error("cannot write '" + path_ + "': " + std::strerror(saved));
    }
    unregister_temp(slot_);
    slot_ = -1;
    committed_ = true;
    fsync_folder(target_, path_);
  }
  committed_ = true;
}

void commit_together(std::initializer_list<AtomicOutput*> outputs) {
  for (AtomicOutput* out : outputs) out->finish();  // every write error surfaces here, before any rename

  struct Renamed {
    AtomicOutput* out;
    std::string backup;  // a hard link to the file it replaced; empty when there was none (or no link)
    bool existed;
  };
  std::vector<Renamed> renamed;
  SignalBlock hold;  // an interrupt between two renames would leave a mix of old and new
  auto undo = [&renamed] {
    std::string failures;
    for (auto r = renamed.rbegin(); r != renamed.rend(); ++r) {
      const std::string& target = r->out->target_;
      bool ok = r->existed ? !r->backup.empty() && ::rename(r->backup.c_str(), target.c_str()) == 0
                           : ::unlink(target.c_str()) == 0;
      if (!ok) failures += (failures.empty() ? "'" : ", '") + r->out->path_ + "'";
    }
    return failures;
  };
  for (AtomicOutput* out : outputs) {
    if (out->is_stdout() || out->direct_) continue;
    Renamed r{out, "", false};
    struct stat info;
    r.existed = ::lstat(out->target_.c_str(), &info) == 0;
    if (r.existed) {
      std::string name = out->target_ + ".tmp.XXXXXX";
      int fd = ::mkstemp(name.data());
      if (fd >= 0) {
        ::close(fd);
        ::unlink(name.c_str());
        if (::link(out->target_.c_str(), name.c_str()) == 0) r.backup = name;
      }
    }
    if (::rename(out->temp_path_.c_str(), out->target_.c_str()) != 0) {
      int saved = errno;
      if (!r.backup.empty()) ::unlink(r.backup.c_str());
      std::string not_restored = undo();
      for (Renamed& done : renamed) {
        if (!done.backup.empty()) ::unlink(done.backup.c_str());
      }
      std::string message = "cannot write '" + out->path_ + "': " + std::strerror(saved);
      if (!not_restored.empty()) message += "; and could not put back the old " + not_restored;
      throw Error(message);  // the destructors remove the temporary files not yet renamed
    }
    renamed.push_back(r);
    out->committed_ = true;
    unregister_temp(out->slot_);
    out->slot_ = -1;
  }
  for (AtomicOutput* out : outputs) out->committed_ = true;
  for (Renamed& r : renamed) {
    if (!r.backup.empty()) ::unlink(r.backup.c_str());
  }
  for (Renamed& r : renamed) fsync_folder(r.out->target_, r.out->path_);
}

void refuse_same_file(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  // A file is its device and inode. An output that does not exist yet is its folder's device and inode plus
  // its name, so that two spellings of one new file ("new.csv", "./new.csv") are caught too.
  struct Identity {
    const NamedPath* named;
    dev_t device;
    ino_t inode;
    std::string name;  // empty for an existing file
    bool operator==(const Identity& o) const { return device == o.device && inode == o.inode && name == o.name; }
  };
  auto identify = [](const NamedPath& p, bool input, Identity& id) {
    struct stat info;
    id.named = &p;
    if (p.path == "-") {
      if (!input || ::fstat(STDIN_FILENO, &info) != 0 || !S_ISREG(info.st_mode)) return false;
    } else if (::stat(p.path.c_str(), &info) == 0) {
      if (!S_ISREG(info.st_mode)) return false;  // written in place, never replaced
    } else {
      std::size_t slash = p.path.find_last_of('/');
      std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : p.path.substr(0, slash);
      id.name = p.path.substr(slash == std::string::npos ? 0 : slash + 1);
      if (input || ::stat(folder.c_str(), &info) != 0) return false;
    }
    id.device = info.st_dev;
    id.inode = info.st_ino;
    return true;
  };
  auto shown = [](const NamedPath& p) { return p.what + (p.path == "-" ? " (standard input)" : " '" + p.path + "'"); };
  // Standard input can be read once, and standard output holds one output.
  for (const std::vector<NamedPath>* list : {&inputs, &outputs}) {
    const NamedPath* dash = nullptr;
    for (const NamedPath& p : *list) {
      if (p.path != "-") continue;
      if (dash == nullptr) {
        dash = &p;
        continue;
      }
      throw Error(list == &inputs
                      ? dash->what + " and " + p.what + " both read standard input ('-'); give one a file"
                      : dash->what + " and " + p.what + " both name standard output ('-'); give one a file");
    }
  }
  std::vector<Identity> seen;  // the inputs, then the outputs checked so far
  for (const NamedPath& in : inputs) {
    Identity id;
    if (identify(in, true, id)) seen.push_back(id);
  }
  const std::size_t input_count = seen.size();
  for (const NamedPath& out : outputs) {
    Identity id;
    if (!identify(out, false, id)) continue;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      const Identity& s = seen[i];
      if (!(s == id)) continue;
      if (i < input_count && !out.may_be.empty() && s.named->what == out.may_be) continue;
      throw Error(shown(out) + " is the same file as " + shown(*s.named) + "; write the output to another file");
    }
    seen.push_back(id);
  }
}

std::string read_file(const std::string& path, std::size_t max_bytes, const char* what) {
  std::FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!raw) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(raw, path == "-" ? [](std::FILE*) { return 0; } : &std::fclose);
  std::string content;
  char buffer[1 << 16];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, raw)) > 0) {
    if (got > max_bytes - content.size()) {
      throw Error((path == "-" ? std::string("<stdin>") : path) + ": larger than " + std::to_string(max_bytes >> 20) +
                  " MB, the most ecgad reads as " + what + " (is it the right file?)");
    }
    content.append(buffer, got);
  }
  if (std::ferror(raw)) throw Error("cannot read '" + path + "': " + std::strerror(errno));
  return content;
}

void check_can_write(const std::string& path, const std::string& option) {
  if (path == "-") return;
  if (path.empty()) throw Error(option + " is empty");
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    throw Error("cannot write " + option + " '" + path + "': it is a directory");
  }
  std::string::size_type slash = path.find_last_of('/');
  std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw Error("cannot write " + option + " '" + path + "': the folder '" + folder + "' does not exist");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw Error("cannot write " + option + " '" + path + "': the folder '" + folder + "' is not writable");
  }
}

}  // namespace ecgad
