//
// Browser.cpp
//
// Module: jwtflow-network
//
// SPDX-License-Identifier: BSL-1.0
//
#include "Browser.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <Poco/Environment.h>
#include <Poco/StringTokenizer.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <vector>

extern char** environ;

namespace jwtflow {
namespace host {

std::string openInBrowser(const std::string& url)
{
	std::vector<std::string> argv;
	const std::string browsers = Poco::Environment::get("BROWSER", "");
	const std::string first = browsers.substr(0, browsers.find(':'));
	if (!first.empty())
	{
		bool placed = false;
		Poco::StringTokenizer words(first, " ", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
		for (std::string w: words)
		{
			const std::size_t at = w.find("%s");
			if (at != std::string::npos)
			{
				w.replace(at, 2, url);
				placed = true;
			}
			argv.push_back(w);
		}
		if (!placed) argv.push_back(url);
	}
	else
	{
		argv = {"xdg-open", url};
	}
	std::vector<char*> args;
	for (auto& a: argv) args.push_back(&a[0]);
	args.push_back(nullptr);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_t attributes;
	posix_spawnattr_init(&attributes);
	posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
	pid_t pid = 0;
	const int rc = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attributes);
	if (rc != 0)
		throw UsageException("cannot start a browser (" + quotedText(argv[0], 80) + ": " + std::strerror(rc) + "): set BROWSER to one, or "
			"print the link with --url-only (jwtflow PROVIDER open --url-only)");
	return argv[0];
}

} // namespace host
} // namespace jwtflow
