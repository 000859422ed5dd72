// The PostgreSQL Flexible Server's side of backups: Azure's automated backups (retention, geo-redundancy;
// seed Future Work) and Entra ID authentication so the Function App's identity can log in without a password.
//
// mode 'existing' (default): the server is shared with the API and owned elsewhere. This module only adds the
//   Entra administrator and reports the server's current backup settings in the outputs; change retention with
//   `az postgres flexible-server update --backup-retention N` (infra/README.md). Geo-redundancy can only be chosen
//   when a server is created.
// mode 'managed': this deployment owns the server (a new environment) and sets the backup block itself.
//
// Either way the Function App's role is created and granted read access by infra/postgres-grants.sql, run by the
// Entra administrator: pgaadauth_create_principal is SQL, not an ARM resource, and a non-admin role keeps the
// backup job read-only.
import { entraAdministrator, resourceTags } from '../types.bicep'

param serverName string
param mode ('existing' | 'managed') = 'existing'
param location string = resourceGroup().location
param tags resourceTags = {}

@minValue(7)
@maxValue(35)
param backupRetentionDays int = 35

@description('Geo-redundant backup storage; only honoured when the server is created.')
param geoRedundantBackup ('Enabled' | 'Disabled') = 'Disabled'

@description('Entra administrator to set; null leaves the server\'s administrators as they are.')
param entraAdmin entraAdministrator?

// managed mode only
param version ('14' | '15' | '16' | '17') = '16'
param skuName string = 'Standard_B1ms'
param skuTier ('Burstable' | 'GeneralPurpose' | 'MemoryOptimized') = 'Burstable'
param storageSizeGB int = 32
param administratorLogin string = 'pgadmin'
@secure()
param administratorPassword string = ''

resource managedServer 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = if (mode == 'managed') {
  name: serverName
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: geoRedundantBackup
    }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Enabled'
      tenantId: tenant().tenantId
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// Flex Consumption has no fixed outbound addresses without a VNet: allow Azure services (0.0.0.0 rule).
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (mode == 'managed') {
  parent: managedServer
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' existing = {
  name: serverName
}

resource administrator 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (entraAdmin != null) {
  parent: server
  name: entraAdmin.?objectId ?? 'none'
  properties: {
    principalName: entraAdmin.?principalName
    principalType: entraAdmin.?principalType
    tenantId: tenant().tenantId
  }
  dependsOn: [
    managedServer
    allowAzure
  ]
}

output serverName string = server.name
output host string = server.properties.fullyQualifiedDomainName
output backupRetentionDays int = server.properties.backup.backupRetentionDays
output geoRedundantBackup string = server.properties.backup.geoRedundantBackup
