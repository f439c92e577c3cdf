//
// SessionApplication.cpp
//
// Library: jwtflow net
// The skeleton of a POCO program that embeds jwtflow.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/SessionApplication.h"
#include "jwtflow/Exception.h"
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <iostream>

namespace jwtflow {

SessionApplication::SessionApplication(std::string usage, std::string header):
	_usage(std::move(usage)),
	_header(std::move(header))
{
	addSubsystem(new SessionSubsystem);
	setUnixOptions(true);
}

SessionSubsystem& SessionApplication::sessions()
{
	return getSubsystem<SessionSubsystem>();
}

void SessionApplication::defineOptions(Poco::Util::OptionSet& options)
{
	Application::defineOptions(options);
	options.addOption(Poco::Util::Option("help", "h", "show this help").callback(
		Poco::Util::OptionCallback<SessionApplication>(this, &SessionApplication::handleHelp)));
	options.addOption(Poco::Util::Option("config", "c", "the properties file with the jwtflow.session.* keys")
		.required(true).argument("FILE").callback(Poco::Util::OptionCallback<SessionApplication>(this, &SessionApplication::handleConfig)));
}

void SessionApplication::handleHelp(const std::string&, const std::string&)
{
	Poco::Util::HelpFormatter help(options());
	help.setCommand(commandName());
	help.setUsage(_usage);
	help.setHeader(_header);
	help.format(std::cout);
	stopOptionsProcessing();
	_helpShown = true;
}

void SessionApplication::handleConfig(const std::string&, const std::string& value)
{
	loadConfiguration(value);   // before initialize(): the subsystem reads it then
}

void SessionApplication::initialize(Poco::Util::Application& self)
{
	// Poco's run() would log a failed initialize() itself; keep it for main().
	try
	{
		Application::initialize(self);
	}
	catch (const Poco::Exception& exc)
	{
		_startupError.reset(exc.clone());
	}
}

int SessionApplication::main(const std::vector<std::string>& args)
{
	if (_helpShown) return EXIT_OK;
	if (_startupError) return report(*_startupError);
	try
	{
		return work(args);
	}
	catch (const Poco::Exception& exc)
	{
		return report(exc);
	}
}

int SessionApplication::report(const Poco::Exception& exc) const
{
	// jwtflow's messages name the problem and the fix, and never hold a secret.
	std::cerr << commandName() << ": error: " << messageFor(exc) << std::endl;
	const jwtflow::ExitCode code = exitCodeFor(exc);
	return static_cast<int>(code == jwtflow::ExitCode::Internal ? jwtflow::ExitCode::Usage : code);
}

} // namespace jwtflow
