//
// SessionApplication.h
//
// Library: jwtflow net
// The skeleton of a POCO program that embeds jwtflow: the SessionSubsystem,
// --help and --config FILE, start-up errors kept for main(), and every error
// reported as one line with jwtflow's exit codes.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SESSIONAPPLICATION_INCLUDED
#define JWTFLOW_SESSIONAPPLICATION_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/SessionSubsystem.h"
#include <Poco/Util/Application.h>
#include <Poco/Util/OptionSet.h>
#include <memory>
#include <string>
#include <vector>

namespace jwtflow {

class JWTFLOW_NET_API SessionApplication: public Poco::Util::Application
	/// Derive from it, add options in defineOptions() (calling this one first)
	/// and do the work in work(); sessions() holds the configured sessions.
	/// The configuration file named by --config (required) is loaded before
	/// the SessionSubsystem reads it. A session that cannot be configured (a
	/// missing setting, an unusable key, an unknown key under
	/// jwtflow.session.<name>.) is reported by main(), not logged by POCO.
	///
	///     class Printer: public jwtflow::SessionApplication
	///     {
	///     public:
	///         Printer(): SessionApplication("--config=FILE", "Prints an access token.") {}
	///     protected:
	///         int work(const std::vector<std::string>&) override
	///         {
	///             std::cout << sessions().session("crm").accessToken() << "\n";
	///             return EXIT_OK;
	///         }
	///     };
	///     int main(int argc, char** argv) { return jwtflow::runSessionApplication<Printer>(argc, argv); }
{
public:
	SessionApplication(std::string usage, std::string header);
		/// usage and header are what --help prints above the options.

	int report(const Poco::Exception& exc) const;
		/// "<command>: error: <message>" on stderr; returns jwtflow's exit code
		/// for it (2 settings, 3 files, 4 IdP refused, 5 network; an exception
		/// that is not jwtflow's is reported as a usage error).

protected:
	virtual int work(const std::vector<std::string>& args) = 0;
		/// The program's own work, once the sessions are configured.

	SessionSubsystem& sessions();

	void defineOptions(Poco::Util::OptionSet& options) override;
	void initialize(Poco::Util::Application& self) override;
	int main(const std::vector<std::string>& args) override;

private:
	void handleHelp(const std::string& name, const std::string& value);
	void handleConfig(const std::string& name, const std::string& value);

	std::string _usage;
	std::string _header;
	bool _helpShown = false;
	std::unique_ptr<Poco::Exception> _startupError;
};

template <class App>
int runSessionApplication(int argc, char** argv)
	/// Makes the application, reads its command line and runs it; a bad
	/// option is reported like any other error.
{
	App app;
	try
	{
		app.init(argc, argv);
	}
	catch (const Poco::Exception& exc)
	{
		return app.report(exc);
	}
	return app.run();
}

} // namespace jwtflow

#endif // JWTFLOW_SESSIONAPPLICATION_INCLUDED
