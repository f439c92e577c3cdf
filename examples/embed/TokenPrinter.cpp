//
// TokenPrinter.cpp
//
// A POCO application that embeds the jwtflow core through
// jwtflow::SessionApplication (a Poco::Util::Application with the
// SessionSubsystem): the sessions come from the application's own
// configuration file, and accessToken() is asked from several threads to show that they share one
// fetch and one cached token.
//
//   token-printer --config=FILE [--session=NAME] [--threads=N]
//
#include <jwtflow/SessionApplication.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <iostream>
#include <set>
#include <thread>
#include <vector>

class TokenPrinter: public jwtflow::SessionApplication
	/// jwtflow::SessionApplication brings the SessionSubsystem, --help, --config FILE,
	/// and errors reported as one line with jwtflow's exit codes.
{
public:
	TokenPrinter():
		SessionApplication("--config=FILE [--session=NAME] [--threads=N]", "Prints an access token from a jwtflow session configured in FILE.")
	{
	}

protected:
	void defineOptions(Poco::Util::OptionSet& options) override
	{
		SessionApplication::defineOptions(options);
		options.addOption(Poco::Util::Option("session", "s", "the session to use (default: the only one)").argument("NAME").binding("printer.session"));
		options.addOption(Poco::Util::Option("threads", "t", "ask from this many threads at once (default 4)").argument("N").binding("printer.threads"));
	}

	int work(const std::vector<std::string>&) override
	{
		std::vector<std::string> names = sessions().sessionNames();
		std::string name = config().getString("printer.session", names.size() == 1 ? names.front() : "");
		jwtflow::Session& session = sessions().session(name);

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
};

int main(int argc, char** argv)
{
	return jwtflow::runSessionApplication<TokenPrinter>(argc, argv);
}
