//
// Fleet.cpp
//
// One member of a fleet: a jwtflow::SessionApplication whose jwtflow session
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
#include <jwtflow/SessionApplication.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

class Fleet: public jwtflow::SessionApplication
{
public:
	Fleet():
		SessionApplication("--config=FILE [--threads=N] [--seconds=S] [--interval-ms=M]",
			"Asks a jwtflow session for tokens from several threads, as one member of a fleet.")
	{
	}

protected:
	void defineOptions(Poco::Util::OptionSet& options) override
	{
		SessionApplication::defineOptions(options);
		options.addOption(Poco::Util::Option("threads", "t", "threads asking for tokens (default 4)").argument("N").binding("fleet.threads"));
		options.addOption(Poco::Util::Option("seconds", "s", "how long to run (default 10; 0: one call per thread)").argument("S").binding("fleet.seconds"));
		options.addOption(Poco::Util::Option("interval-ms", "i", "pause between a thread's calls (default 100)").argument("M").binding("fleet.interval"));
	}

	int work(const std::vector<std::string>&) override
	{
		return askForTokens();
	}

private:
	int askForTokens()
	{
		const std::vector<std::string> names = sessions().sessionNames();
		if (names.size() != 1) throw jwtflow::UsageException("configure exactly one jwtflow.session.<name> for the fleet");
		jwtflow::Session& session = sessions().session(names.front());
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

};

int main(int argc, char** argv)
{
	return jwtflow::runSessionApplication<Fleet>(argc, argv);
}
