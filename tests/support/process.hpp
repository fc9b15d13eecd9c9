#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace allervers::testing {

/// What a finished run of the allervers binary printed, and how it ended.
struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Runs the allervers binary (ALLERVERS_BINARY) to completion with `args`, the environment of
/// the test plus `env` (ALLERVERS_FAST_PASSWORD_HASHING=1 always), and an empty standard input.
ProcessResult RunAllervers(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {});

/// `allervers … serve` as a child process, its standard output and error read through pipes.
/// Waits are bounded by generous deadlines so that a hung server fails the test rather than
/// blocking it; no test outcome depends on how long anything takes. Killed (SIGKILL) if still
/// running at destruction.
class ServerProcess {
 public:
  /// Starts `allervers <args> serve --listen 127.0.0.1:0` and waits for its
  /// "Allervers est prêt : http://HOST:PORT/" line. port() is 0 when it never came.
  explicit ServerProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  void Signal(int sig) const;
  /// Reads the standard error until a line containing `needle`; false at end of output or
  /// after `deadline`.
  bool WaitForLog(const std::string& needle,
                  std::chrono::seconds deadline = std::chrono::seconds(60));
  /// Waits for the process to end (reading its output meanwhile); the exit code, or nullopt
  /// when it was killed by a signal or was still running after `deadline` (then killed).
  std::optional<int> WaitForExit(std::chrono::seconds deadline = std::chrono::seconds(60));
  /// Everything read from the standard error so far.
  const std::string& err() const { return err_; }

 private:
  // Reads what is available on both pipes, waiting at most `wait`; the bytes read.
  std::size_t Pump(std::chrono::milliseconds wait);
  bool open() const { return out_fd_ >= 0 || err_fd_ >= 0; }

  pid_t pid_ = 0;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::size_t err_scanned_ = 0;
  int port_ = 0;
};

/// Connects to 127.0.0.1:`port`; -1 when refused.
int ConnectLoopback(int port);

}  // namespace allervers::testing
