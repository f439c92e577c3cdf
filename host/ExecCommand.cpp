//
// ExecCommand.cpp
//
// Program: jwtflow
// `jwtflow PROVIDER exec [--env NAME] -- CMD [ARGS...]`: jwtflow becomes CMD
// (execvp: its exit status is CMD's), with the token in its environment and
// never on a command line.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <unistd.h>

extern char** environ;

namespace jwtflow {
namespace host {

namespace {

bool isVariableName(const std::string& name)
{
	if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
	for (char c: name)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
	return true;
}

} // namespace

int JwtflowApp::execWithToken(const TokenResult& token)
{
	if (_afterDashes.empty())
		throw UsageException("exec runs a program: jwtflow " + (_provider ? _provider->name() : std::string("PROVIDER"))
			+ " exec -- CMD [ARGS...]");
	std::vector<std::string> names = _values.count("env") ? _values["env"] : std::vector<std::string>{"ACCESS_TOKEN"};
	std::map<std::string, std::string> vars;
	for (const auto& name: names)
	{
		if (!isVariableName(name))
			throw UsageException("--env " + quotedText(name, 60) + " is not a variable name (letters, digits and _, not first a digit)");
		vars[name] = token.accessToken;
	}
	if (_provider)
		for (const auto& v: _provider->tokenVariables(token, settings())) vars.emplace(v.first, v.second);

	std::vector<std::string> environment;
	for (char** e = environ; e && *e; ++e)
	{
		const std::string entry = *e;
		if (!vars.count(entry.substr(0, entry.find('=')))) environment.push_back(entry);
	}
	for (const auto& v: vars) environment.push_back(v.first + "=" + v.second);
	std::vector<char*> envp;
	for (auto& e: environment) envp.push_back(&e[0]);
	envp.push_back(nullptr);
	std::vector<char*> argv;
	for (auto& a: _afterDashes) argv.push_back(&a[0]);
	argv.push_back(nullptr);

	std::cout.flush();
	std::cerr.flush();
	::execvpe(argv[0], argv.data(), envp.data());
	// Only on failure, with the shell's codes: 127 not found, 126 found but not runnable.
	const int error = errno;
	std::cerr << "jwtflow: error: cannot run " << quotedText(_afterDashes[0], 120) << ": " << std::strerror(error)
		<< (error == ENOENT ? " (not a file, and not found on PATH)" : "") << std::endl;
	return error == ENOENT ? 127 : 126;
}

} // namespace host
} // namespace jwtflow
