#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <string_view>
#include <thread>

extern char** environ;

namespace allervers::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The environment of this process with `extra` added or replaced.
std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env{{"ALLERVERS_FAST_PASSWORD_HASHING", "1"}};
  for (const auto& [k, v] : extra) {
    env[k] = v;
  }
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!env.contains(std::string(entry.substr(0, entry.find('='))))) {
      out.emplace_back(entry);
    }
  }
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Spawns the binary with stdin from /dev/null and stdout/stderr to the given descriptors.
pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int out_fd, int err_fd, const std::vector<int>& close_in_child) {
  std::vector<std::string> argv_strings{ALLERVERS_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = Environment(env);
  auto argv = Pointers(argv_strings);
  auto envp = Pointers(env_strings);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  for (const int fd : close_in_child) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : 0;
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ProcessResult RunAllervers(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  char dir_template[] = "/tmp/allervers-run-XXXXXX";
  const std::filesystem::path dir = mkdtemp(dir_template);
  const int out_fd = ::open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = ::open((dir / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ProcessResult r;
  const pid_t pid = Spawn(args, env, out_fd, err_fd, {});
  ::close(out_fd);
  ::close(err_fd);
  if (pid != 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  r.out = Slurp(dir / "out");
  r.err = Slurp(dir / "err");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return r;
}

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  std::array<int, 2> out_pipe{};
  std::array<int, 2> err_pipe{};
  if (pipe2(out_pipe.data(), O_CLOEXEC) != 0 || pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    return;
  }
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--listen", "127.0.0.1:0", "serve"});
  pid_ = Spawn(all, env, out_pipe[1], err_pipe[1], {out_pipe[0], err_pipe[0]});
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  if (pid_ == 0) {
    return;
  }
  static const std::regex kReady(R"(Allervers est prêt : http://127\.0\.0\.1:(\d+)/)");
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  std::smatch match;
  while (!std::regex_search(out_, match, kReady) && Clock::now() < deadline && open()) {
    Pump(std::chrono::milliseconds(200));
  }
  if (std::regex_search(out_, match, kReady)) {
    port_ = std::stoi(match[1]);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ != 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  for (const int fd : {out_fd_, err_fd_}) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

void ServerProcess::Signal(int sig) const {
  if (pid_ != 0) {
    ::kill(pid_, sig);
  }
}

std::size_t ServerProcess::Pump(std::chrono::milliseconds wait) {
  std::array<pollfd, 2> fds{pollfd{out_fd_, POLLIN, 0}, pollfd{err_fd_, POLLIN, 0}};
  if (out_fd_ < 0 && err_fd_ < 0) {
    return 0;
  }
  if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) <= 0) {
    return 0;
  }
  std::size_t total = 0;
  std::array<char, 4096> buffer{};
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].fd < 0 || fds[i].revents == 0) {
      continue;
    }
    const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
    if (n > 0) {
      (i == 0 ? out_ : err_).append(buffer.data(), static_cast<std::size_t>(n));
      total += static_cast<std::size_t>(n);
    } else {
      ::close(fds[i].fd);
      (i == 0 ? out_fd_ : err_fd_) = -1;
    }
  }
  return total;
}

bool ServerProcess::WaitForLog(const std::string& needle, std::chrono::seconds deadline) {
  const auto until = Clock::now() + deadline;
  while (true) {
    if (const auto at = err_.find(needle, err_scanned_); at != std::string::npos) {
      err_scanned_ = at + needle.size();
      return true;
    }
    if (Clock::now() >= until || !open()) {
      return false;
    }
    Pump(std::chrono::milliseconds(200));
  }
}

std::optional<int> ServerProcess::WaitForExit(std::chrono::seconds deadline) {
  if (pid_ == 0) {
    return std::nullopt;
  }
  const auto until = Clock::now() + deadline;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() >= until) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = 0;
      return std::nullopt;
    }
    // Reading the pipes keeps the child from blocking on a full one, and paces this loop.
    if (!open()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Pump(std::chrono::milliseconds(50));
  }
  pid_ = 0;
  while (Pump(std::chrono::milliseconds(0)) > 0) {
  }
  return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace allervers::testing
