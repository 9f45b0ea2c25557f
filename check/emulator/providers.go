package emulator

// realProviders is the complete resource provider list of a real
// subscription, as GET /subscriptions/{id}/providers returned it on
// 2017-04-13: 99 namespaces, most of them NotRegistered and many of them
// third-party, with the registration state and letter case exactly as
// returned ("microsoft.insights", "stackify.retrace"). It was captured by the
// sample app of
// https://github.com/jsifantu/billing-dotnet-ratecard-api/blob/eabbf41ed3f966cec341ab752c0baf82d299f8f3/ConsoleApp-Billing-RateCard/AzureResourceManager/AzureProviders.md
// (a Markdown report the app generated from the ARM answer; the field values
// are copied verbatim). A test holds this list to the same answer kept as
// testdata/subscription-providers-2017.json.
//
// It is old: namespaces created since 2017 (Microsoft.ManagedIdentity,
// Microsoft.App, ...) are absent, and azurerm skips a namespace of its set
// that ARM does not return, as it would on a national cloud.
var realProviders = []struct{ Namespace, State string }{
	{"84codes.CloudAMQP", "NotRegistered"},
	{"AppDynamics.APM", "NotRegistered"},
	{"Aspera.Transfers", "NotRegistered"},
	{"Auth0.Cloud", "NotRegistered"},
	{"Citrix.Cloud", "NotRegistered"},
	{"Cloudyn.Analytics", "NotRegistered"},
	{"Conexlink.MyCloudIT", "NotRegistered"},
	{"Crypteron.DataSecurity", "NotRegistered"},
	{"Dynatrace.DynatraceSaaS", "NotRegistered"},
	{"Dynatrace.Ruxit", "NotRegistered"},
	{"LiveArena.Broadcast", "NotRegistered"},
	{"Lombiq.DotNest", "NotRegistered"},
	{"Mailjet.Email", "NotRegistered"},
	{"Microsoft.ADHybridHealthService", "Registered"},
	{"Microsoft.Advisor", "NotRegistered"},
	{"Microsoft.AnalysisServices", "NotRegistered"},
	{"Microsoft.ApiManagement", "NotRegistered"},
	{"Microsoft.AppService", "NotRegistered"},
	{"Microsoft.Authorization", "Registered"},
	{"Microsoft.Automation", "NotRegistered"},
	{"Microsoft.AzureActiveDirectory", "NotRegistered"},
	{"Microsoft.AzureStack", "NotRegistered"},
	{"Microsoft.Batch", "NotRegistered"},
	{"Microsoft.Billing", "NotRegistered"},
	{"Microsoft.BingMaps", "NotRegistered"},
	{"Microsoft.BizTalkServices", "NotRegistered"},
	{"Microsoft.Cache", "NotRegistered"},
	{"Microsoft.Cdn", "NotRegistered"},
	{"Microsoft.CertificateRegistration", "NotRegistered"},
	{"Microsoft.ClassicCompute", "NotRegistered"},
	{"Microsoft.ClassicNetwork", "NotRegistered"},
	{"Microsoft.ClassicStorage", "NotRegistered"},
	{"Microsoft.ClassicInfrastructureMigrate", "NotRegistered"},
	{"Microsoft.CognitiveServices", "NotRegistered"},
	{"Microsoft.Commerce", "NotRegistered"},
	{"Microsoft.Compute", "NotRegistered"},
	{"microsoft.consumption", "NotRegistered"},
	{"Microsoft.ContainerRegistry", "NotRegistered"},
	{"Microsoft.ContainerService", "NotRegistered"},
	{"Microsoft.ContentModerator", "NotRegistered"},
	{"Microsoft.CustomerInsights", "NotRegistered"},
	{"Microsoft.DataCatalog", "NotRegistered"},
	{"Microsoft.DataFactory", "NotRegistered"},
	{"Microsoft.DataLakeAnalytics", "NotRegistered"},
	{"Microsoft.DataLakeStore", "NotRegistered"},
	{"Microsoft.Devices", "NotRegistered"},
	{"Microsoft.DevTestLab", "NotRegistered"},
	{"Microsoft.DocumentDB", "NotRegistered"},
	{"Microsoft.DomainRegistration", "NotRegistered"},
	{"Microsoft.DynamicsLcs", "NotRegistered"},
	{"Microsoft.EventHub", "NotRegistered"},
	{"Microsoft.Features", "Registered"},
	{"Microsoft.HDInsight", "NotRegistered"},
	{"Microsoft.ImportExport", "NotRegistered"},
	{"microsoft.insights", "NotRegistered"},
	{"Microsoft.KeyVault", "NotRegistered"},
	{"Microsoft.Logic", "NotRegistered"},
	{"Microsoft.MachineLearning", "NotRegistered"},
	{"Microsoft.MarketplaceOrdering", "NotRegistered"},
	{"Microsoft.Media", "NotRegistered"},
	{"Microsoft.Network", "NotRegistered"},
	{"Microsoft.NotificationHubs", "NotRegistered"},
	{"Microsoft.OperationalInsights", "NotRegistered"},
	{"Microsoft.OperationsManagement", "NotRegistered"},
	{"Microsoft.Portal", "NotRegistered"},
	{"Microsoft.PowerBI", "NotRegistered"},
	{"Microsoft.RecoveryServices", "NotRegistered"},
	{"Microsoft.Relay", "NotRegistered"},
	{"Microsoft.ResourceHealth", "NotRegistered"},
	{"Microsoft.Resources", "Registered"},
	{"Microsoft.Scheduler", "NotRegistered"},
	{"Microsoft.Search", "NotRegistered"},
	{"Microsoft.Security", "NotRegistered"},
	{"Microsoft.ServerManagement", "NotRegistered"},
	{"Microsoft.ServiceBus", "NotRegistered"},
	{"Microsoft.ServiceFabric", "NotRegistered"},
	{"Microsoft.Sql", "NotRegistered"},
	{"Microsoft.Storage", "NotRegistered"},
	{"Microsoft.StorSimple", "NotRegistered"},
	{"Microsoft.StreamAnalytics", "NotRegistered"},
	{"microsoft.support", "Registered"},
	{"microsoft.visualstudio", "NotRegistered"},
	{"Microsoft.Web", "NotRegistered"},
	{"Myget.PackageManagement", "NotRegistered"},
	{"NewRelic.APM", "NotRegistered"},
	{"Paraleap.CloudMonix", "NotRegistered"},
	{"Pokitdok.Platform", "NotRegistered"},
	{"RavenHq.Db", "NotRegistered"},
	{"Raygun.CrashReporting", "NotRegistered"},
	{"RedisLabs.Memcached", "NotRegistered"},
	{"RedisLabs.Redis", "NotRegistered"},
	{"RevAPM.MobileCDN", "NotRegistered"},
	{"Sendgrid.Email", "NotRegistered"},
	{"Signiant.Flight", "NotRegistered"},
	{"Sparkpost.Basic", "NotRegistered"},
	{"stackify.retrace", "NotRegistered"},
	{"SuccessBricks.ClearDB", "NotRegistered"},
	{"TrendMicro.DeepSecurity", "NotRegistered"},
	{"U2uconsult.TheIdentityHub", "NotRegistered"},
}

// azurermRegistered are the namespaces of realProviders that azurerm's
// legacy set registers (hashicorp/terraform-provider-azurerm
// internal/resourceproviders/required.go, Legacy() at v3.117.1, the same 68
// as v4.0.0 to v4.4.x; later sets are subsets): a subscription where
// Terraform has run once with Contributor has them Registered, which is
// what the base scenario models. The emulator keeps its own copy so that it
// does not take its data from the code it tests.
var azurermRegistered = []string{
	"Microsoft.ApiManagement",
	"Microsoft.Authorization",
	"Microsoft.Automation",
	"Microsoft.Cache",
	"Microsoft.Cdn",
	"Microsoft.CognitiveServices",
	"Microsoft.Compute",
	"Microsoft.ContainerRegistry",
	"Microsoft.ContainerService",
	"Microsoft.DataFactory",
	"Microsoft.DataLakeAnalytics",
	"Microsoft.DataLakeStore",
	"Microsoft.Devices",
	"Microsoft.DevTestLab",
	"Microsoft.DocumentDB",
	"Microsoft.EventHub",
	"Microsoft.HDInsight",
	"microsoft.insights",
	"Microsoft.KeyVault",
	"Microsoft.Logic",
	"Microsoft.MarketplaceOrdering",
	"Microsoft.Media",
	"Microsoft.Network",
	"Microsoft.NotificationHubs",
	"Microsoft.OperationalInsights",
	"Microsoft.OperationsManagement",
	"Microsoft.RecoveryServices",
	"Microsoft.Relay",
	"Microsoft.Resources",
	"Microsoft.Search",
	"Microsoft.Security",
	"Microsoft.ServiceBus",
	"Microsoft.ServiceFabric",
	"Microsoft.Sql",
	"Microsoft.Storage",
	"Microsoft.StreamAnalytics",
	"Microsoft.Web",
}

// subscriptionProviders is the base scenario's provider list:
// realProviders with azurermRegistered Registered.
func subscriptionProviders() map[string]string {
	m := make(map[string]string, len(realProviders))
	for _, p := range realProviders {
		m[p.Namespace] = p.State
	}
	for _, ns := range azurermRegistered {
		m[ns] = "Registered"
	}
	return m
}
