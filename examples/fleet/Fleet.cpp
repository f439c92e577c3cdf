//
// Fleet.cpp
//
// One member of a fleet: a Poco::Util::Application whose jwtflow session
// comes from its configuration (jwtflow.session.<name>.*, with
// store = redis://... to share one login across the fleet), and N threads
// that ask it for a token in a loop, as a service's request handlers would.
//
//   fleet --config=FILE [--threads=N] [--seconds=S] [--interval-ms=M]
//
// Prints "calls=... fetches=... failures=..." and exits 0 when every call got
// a token (else 5). Run it N times on M machines against one Redis.
//
#include <jwtflow/Exception.h>
#include <jwtflow/SessionSubsystem.h>
#include <Poco/Util/Application.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

class Fleet: public Poco::Util::Application
{
public:
	Fleet()
	{
		addSubsystem(new jwtflow::SessionSubsystem);
		setUnixOptions(true);
	}

protected:
	void defineOptions(Poco::Util::OptionSet& options) override
	{
		Application::defineOptions(options);
		options.addOption(Poco::Util::Option("help", "h", "show this help").callback(
			Poco::Util::OptionCallback<Fleet>(this, &Fleet::handleHelp)));
		options.addOption(Poco::Util::Option("config", "c", "the properties file with the jwtflow.session.* keys")
			.required(true).argument("FILE").callback(Poco::Util::OptionCallback<Fleet>(this, &Fleet::handleConfig)));
		options.addOption(Poco::Util::Option("threads", "t", "threads asking for tokens (default 4)").argument("N").binding("fleet.threads"));
		options.addOption(Poco::Util::Option("seconds", "s", "how long to run (default 10; 0: one call per thread)").argument("S").binding("fleet.seconds"));
		options.addOption(Poco::Util::Option("interval-ms", "i", "pause between a thread's calls (default 100)").argument("M").binding("fleet.interval"));
	}

	void handleHelp(const std::string&, const std::string&)
	{
		Poco::Util::HelpFormatter help(options());
		help.setCommand(commandName());
		help.setUsage("--config=FILE [--threads=N] [--seconds=S] [--interval-ms=M]");
		help.setHeader("Asks a jwtflow session for tokens from several threads, as one member of a fleet.");
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
		if (_helpShown) return EXIT_OK;
		if (_startupError) return report(*_startupError);
		try
		{
			return askForTokens();
		}
		catch (const Poco::Exception& e)
		{
			return report(e);
		}
	}

private:
	static int report(const Poco::Exception& e)
	{
		std::cerr << "fleet: error: " << jwtflow::messageFor(e) << std::endl;
		const jwtflow::ExitCode code = jwtflow::exitCodeFor(e);
		return static_cast<int>(code == jwtflow::ExitCode::Internal ? jwtflow::ExitCode::Usage : code);
	}

	int askForTokens()
	{
		auto& sessions = getSubsystem<jwtflow::SessionSubsystem>();
		const std::vector<std::string> names = sessions.sessionNames();
		if (names.size() != 1) throw jwtflow::UsageException("configure exactly one jwtflow.session.<name> for the fleet");
		jwtflow::Session& session = sessions.session(names.front());
		const int threads = std::max(1, config().getInt("fleet.threads", 4));
		const int seconds = std::max(0, config().getInt("fleet.seconds", 10));
		const int intervalMs = std::max(1, config().getInt("fleet.interval", 100));
		const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
		std::atomic<long> calls{0}, failures{0};
		std::vector<std::thread> workers;
		for (int i = 0; i < threads; ++i)
			workers.emplace_back([&] {
				do
				{
					try
					{
						if (session.accessToken().empty()) ++failures;
					}
					catch (const Poco::Exception& e)
					{
						++failures;
						std::cerr << "fleet: " << jwtflow::messageFor(e) << std::endl;
					}
					++calls;
					std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
				} while (std::chrono::steady_clock::now() < end);
			});
		for (auto& w: workers) w.join();
		std::cout << "calls=" << calls << " fetches=" << session.fetches() << " failures=" << failures << std::endl;
		return failures == 0 ? EXIT_OK : static_cast<int>(jwtflow::ExitCode::Network);
	}

	bool _helpShown = false;
	std::unique_ptr<Poco::Exception> _startupError;
};

POCO_APP_MAIN(Fleet)
