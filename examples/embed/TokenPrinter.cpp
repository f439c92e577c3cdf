//
// TokenPrinter.cpp
//
// A Poco::Util::Application that embeds the jwtflow core through its
// Subsystem: the sessions come from the application's own configuration file,
// and accessToken() is asked from several threads to show that they share one
// fetch and one cached token.
//
//   token-printer --config=FILE [--session=NAME] [--threads=N]
//
#include <jwtflow/Exception.h>
#include <jwtflow/SessionSubsystem.h>
#include <Poco/Util/Application.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <iostream>
#include <memory>
#include <set>
#include <thread>
#include <vector>

class TokenPrinter: public Poco::Util::Application
{
public:
	TokenPrinter()
	{
		addSubsystem(new jwtflow::SessionSubsystem);
		setUnixOptions(true);
	}

protected:
	void defineOptions(Poco::Util::OptionSet& options) override
	{
		Application::defineOptions(options);
		options.addOption(Poco::Util::Option("help", "h", "show this help").callback(
			Poco::Util::OptionCallback<TokenPrinter>(this, &TokenPrinter::handleHelp)));
		options.addOption(Poco::Util::Option("config", "c", "the properties file with the jwtflow.session.* keys")
			.required(true).argument("FILE").callback(Poco::Util::OptionCallback<TokenPrinter>(this, &TokenPrinter::handleConfig)));
		options.addOption(Poco::Util::Option("session", "s", "the session to use (default: the only one)").argument("NAME").binding("printer.session"));
		options.addOption(Poco::Util::Option("threads", "t", "ask from this many threads at once (default 4)").argument("N").binding("printer.threads"));
	}

	void handleHelp(const std::string&, const std::string&)
	{
		Poco::Util::HelpFormatter help(options());
		help.setCommand(commandName());
		help.setUsage("--config=FILE [--session=NAME] [--threads=N]");
		help.setHeader("Prints an access token from a jwtflow session configured in FILE.");
		help.format(std::cout);
		stopOptionsProcessing();
		_helpShown = true;
	}

	void handleConfig(const std::string&, const std::string& value)
	{
		loadConfiguration(value);   // before initialize(): the subsystem reads it then
	}

	void initialize(Poco::Util::Application& self) override
	{
		// Poco's run() would log a failed initialize() itself; keep it for main().
		try
		{
			Application::initialize(self);
		}
		catch (const Poco::Exception& e)
		{
			_startupError.reset(e.clone());
		}
	}

	int main(const std::vector<std::string>&) override
	{
		if (_startupError) return report(*_startupError);
		if (_helpShown) return EXIT_OK;
		try
		{
			return printToken();
		}
		catch (const Poco::Exception& e)
		{
			return report(e);
		}
	}

public:
	static int report(const Poco::Exception& e)
	{
		// jwtflow's messages name the problem and the fix, and never hold a secret;
		// the exit codes are jwtflow's (2 settings, 3 files, 4 IdP refused, 5 network).
		std::cerr << "token-printer: error: " << jwtflow::messageFor(e) << std::endl;
		jwtflow::ExitCode code = jwtflow::exitCodeFor(e);
		return static_cast<int>(code == jwtflow::ExitCode::Internal ? jwtflow::ExitCode::Usage : code);
	}

private:
	int printToken()
	{
		auto& sessions = getSubsystem<jwtflow::SessionSubsystem>();
		std::vector<std::string> names = sessions.sessionNames();
		std::string name = config().getString("printer.session", names.size() == 1 ? names.front() : "");
		jwtflow::Session& session = sessions.session(name);

		const int threads = config().getInt("printer.threads", 4);
		std::vector<std::string> tokens(static_cast<std::size_t>(threads > 0 ? threads : 1));
		std::vector<std::exception_ptr> errors(tokens.size());
		std::vector<std::thread> workers;
		for (std::size_t i = 0; i < tokens.size(); ++i)
			workers.emplace_back([&, i] {
				try
				{
					tokens[i] = session.accessToken();
				}
				catch (...)
				{
					errors[i] = std::current_exception();
				}
			});
		for (auto& w: workers) w.join();
		for (auto& e: errors)
			if (e) std::rethrow_exception(e);

		std::cout << tokens.front() << std::endl;
		std::cerr << "session " << name << " (" << session.provider().name() << "): " << tokens.size()
			<< " callers, " << std::set<std::string>(tokens.begin(), tokens.end()).size() << " distinct token, "
			<< session.fetches() << " fetch" << std::endl;
		return EXIT_OK;
	}

	bool _helpShown = false;
	std::unique_ptr<Poco::Exception> _startupError;
};

int main(int argc, char** argv)
{
	try
	{
		TokenPrinter app;
		app.init(argc, argv);
		return app.run();
	}
	catch (const Poco::Exception& e)   // bad options, or a session that cannot be configured
	{
		return TokenPrinter::report(e);
	}
}
