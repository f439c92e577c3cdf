//
// SecretPrompt.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SecretPrompt.h"
#include "FileInput.h"
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <termios.h>
#include <unistd.h>

namespace jwtflow {

namespace {

SecretPrompt& currentPrompt()
{
	static SecretPrompt prompt;
	return prompt;
}

} // namespace

void setSecretPrompt(SecretPrompt prompt)
{
	currentPrompt() = std::move(prompt);
}

std::optional<std::string> askSecret(const std::string& prompt)
{
	const SecretPrompt& p = currentPrompt();
	if (!p) return std::nullopt;
	return p(prompt);
}

std::optional<std::string> readSecretFromTerminal(const std::string& prompt)
{
	if (!::isatty(STDIN_FILENO) || !::isatty(STDERR_FILENO)) return std::nullopt;
	struct termios saved{};
	if (::tcgetattr(STDIN_FILENO, &saved) != 0) return std::nullopt;
	struct termios quiet = saved;
	quiet.c_lflag &= static_cast<tcflag_t>(~(ECHO | ECHONL));
	quiet.c_lflag |= ICANON;
	detail::writeAllQuietly(STDERR_FILENO, prompt);
	if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) return std::nullopt;
	std::string line;
	char c = 0;
	bool ended = false;
	while (line.size() < 1023)
	{
		ssize_t n = ::read(STDIN_FILENO, &c, 1);
		if (n < 0 && errno == EINTR) break;   // Ctrl-C: give up, the terminal restored below
		if (n <= 0 || c == '\n' || c == '\r')
		{
			ended = n > 0;
			break;
		}
		line += c;
	}
	::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	detail::writeAllQuietly(STDERR_FILENO, "\n");
	if (!ended || line.empty())
	{
		std::fill(line.begin(), line.end(), '\0');
		return std::nullopt;
	}
	return line;
}

} // namespace jwtflow
