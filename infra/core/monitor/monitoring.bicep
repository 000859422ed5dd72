// Log Analytics workspace + workspace-based Application Insights. Local (instrumentation key) auth is off:
// the app sends telemetry with its managed identity (Monitoring Metrics Publisher, see app/rbac.bicep).
import { resourceTags } from '../../types.bicep'

param logAnalyticsName string
param applicationInsightsName string
param location string
param tags resourceTags = {}

@description('Days Log Analytics keeps data; 30 is inside the free retention.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Daily ingestion cap in GB; a nightly backup logs a few MB, the cap bounds a runaway loop.')
param dailyQuotaGb int = 1

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsName string = logAnalytics.name
