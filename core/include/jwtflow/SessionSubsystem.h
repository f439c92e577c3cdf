//
// SessionSubsystem.h
//
// Library: jwtflow core
// A Poco::Util::Subsystem that configures named Sessions from the
// application's configuration, for Application and ServerApplication.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SESSIONSUBSYSTEM_INCLUDED
#define JWTFLOW_SESSIONSUBSYSTEM_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/Provider.h"
#include "jwtflow/Session.h"
#include <Poco/Util/AbstractConfiguration.h>
#include <Poco/Util/Subsystem.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jwtflow {

class JWTFLOW_NET_API SessionSubsystem: public Poco::Util::Subsystem
	/// Creates one Session per `jwtflow.session.<name>.provider` key of the
	/// application's configuration when the application initializes:
	///
	///     jwtflow.plugins = /opt/jwtflow/lib/jwtflow/plugins.d   (optional, colon-separated)
	///     jwtflow.session.crm.provider = salesforce
	///     jwtflow.session.crm.CLIENT_ID = 3MVG9...
	///     jwtflow.session.crm.SUBJECT = integration@example.com
	///     jwtflow.session.crm.PATH_PRIVATE_KEY = /etc/app/crm.pem
	///     jwtflow.session.crm.assumedLifetime = 900     (seconds, optional)
	///     jwtflow.session.crm.refreshMargin = 60        (seconds, optional)
	///     jwtflow.session.crm.timeout = 30              (seconds, optional)
	///     jwtflow.session.crm.useEnvironment = false    (also read settings from the environment)
	///     jwtflow.session.crm.envFile = /etc/app/crm.env (optional .env file)
	///
	/// Upper-case keys are the provider's settings (as in .env); the plugin's
	/// descriptor and the built-in defaults fill the rest. Plugins are looked
	/// for in jwtflow.plugins, then the default search path of PluginRegistry.
	/// A session with a missing setting or an unusable key makes initialize()
	/// throw, naming the session: configuration errors show at start-up.
	///
	///     Poco::Util::Application::instance().getSubsystem<jwtflow::SessionSubsystem>()
	///         .session("crm").accessToken();
{
public:
	SessionSubsystem();
	~SessionSubsystem() override;

	void addProvider(const Provider& provider);
		/// Makes a provider linked into the program available under its name(),
		/// ahead of plugins. Call before the application initializes; the
		/// provider must outlive the subsystem.

	const char* name() const override;
		/// "jwtflow"

	Session& session(const std::string& name);
		/// The named session; throws UsageException listing the configured names.

	std::vector<std::string> sessionNames() const;

	PluginRegistry* registry();
		/// The plugin registry, or nullptr before initialize().

	void configure(const Poco::Util::AbstractConfiguration& config, const std::string& applicationPath = "");
		/// What initialize() does, for programs without a Poco::Util::Application.

protected:
	void initialize(Poco::Util::Application& app) override;
	void uninitialize() override;

private:
	std::map<std::string, const Provider*> _linked;
	std::unique_ptr<PluginRegistry> _registry;
	std::map<std::string, std::unique_ptr<Session>> _sessions;
};

} // namespace jwtflow

#endif // JWTFLOW_SESSIONSUBSYSTEM_INCLUDED
