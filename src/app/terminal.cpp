#include "app/terminal.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace allervers::app {

std::optional<std::string> ReadLineFromStdin() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return std::nullopt;
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
    line.pop_back();
  }
  return line;
}

std::optional<std::string> PromptHidden(const std::string& prompt) {
  if (isatty(STDIN_FILENO) == 0) {
    return std::nullopt;
  }
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios silent = saved;
  silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  std::cerr << prompt << std::flush;
  tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << std::endl;
  return line;
}

}  // namespace allervers::app
