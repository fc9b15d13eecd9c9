#pragma once

#include <optional>
#include <string>

namespace allervers::app {

/// Reads one line from standard input (for --password-stdin), without its line ending.
std::optional<std::string> ReadLineFromStdin();

/// Prompts on the terminal with echo off. Returns nothing when stdin is not a terminal.
std::optional<std::string> PromptHidden(const std::string& prompt);

}  // namespace allervers::app
