// InfiniteBackup on Azure: the backup Function App (Flex Consumption, .NET 10 isolated), its storage, monitoring
// and Key Vault, one user-assigned identity that every service trusts, and the PostgreSQL server's backup and
// Entra ID settings. Deploy: infra/README.md (`az deployment group create ... -p @infra/main.parameters.json`).
import { backupTarget, s3Target, entraAdministrator } from 'types.bicep'

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Environment name (prod); seeds the resource token that makes names unique.')
param environmentName string

@description('Region for every new resource; Flex Consumption must be available there.')
param location string = resourceGroup().location

// ---- PostgreSQL ------------------------------------------------------------------------------------------
@description('Azure Database for PostgreSQL Flexible Server that holds infinite-prod and infinite-staging.')
param postgresServerName string

@description('Resource group of the server when it lives outside this deployment\'s group.')
param postgresResourceGroupName string = resourceGroup().name

@description('existing: the API owns the server, only Entra admin is set here. managed: this deployment creates it.')
param postgresMode ('existing' | 'managed') = 'existing'

@minValue(7)
@maxValue(35)
@description('Azure automated backup (point-in-time restore) retention in days.')
param postgresBackupRetentionDays int = 35

@description('Geo-redundant automated backups; fixed when the server is created.')
param postgresGeoRedundantBackup ('Enabled' | 'Disabled') = 'Disabled'

@description('Entra administrator of the server (a DBA group); it runs infra/postgres-grants.sql once.')
param postgresEntraAdmin entraAdministrator?

@secure()
@description('Only for postgresMode managed: the server\'s password administrator.')
param postgresAdministratorPassword string = ''

// ---- Backup ------------------------------------------------------------------------------------------------
@minLength(1)
param backupTargets backupTarget[]

param s3 s3Target

@description('WebIdentity (default): assume awsRoleArn with the identity\'s Entra token. AccessKey: the s3-backup user\'s keys from Key Vault.')
param awsCredentialMode ('WebIdentity' | 'AccessKey') = 'WebIdentity'

@description('ARN of the role from infra/aws/backup-bucket.yaml (output FunctionRoleArn).')
param awsRoleArn string = ''

@description('NCRONTAB (six fields, UTC) of the nightly backup.')
param backupSchedule string = '0 0 4 * * *'

@description('NCRONTAB of the weekly restore verification.')
param verifySchedule string = '0 0 5 * * 0'

@description('Anonymization policy JSON shipped with the app; empty keeps the built-in e-mail rule.')
param anonymizationPolicyFile string = ''

@description('gzip/zlib level 0-9 (or Optimal = 6, ...); 2 is the app\'s default (docs/performance.md: pg_dump -Z6 sizes, much faster).')
param compressionLevel ('0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'Optimal' | 'Fastest' | 'SmallestSize' | 'NoCompression') = '2'
@description('Threads compressing a table\'s data at once; 0 = one per processor, at most 4.')
@minValue(0)
@maxValue(32)
param workers int = 0
param lockTimeoutSeconds int = 60
param shrinkWarningFraction string = '0.5'
param failOnShrink bool = false
@description('Hours after which the status API reports a target\'s last good backup as stale (503).')
param staleAfterHours string = '26'
@description('Existing scratch database for the weekly verification; empty = create and drop one per run (the identity needs CREATEDB).')
param verificationScratchDatabase string = ''

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 40

// ---- Secrets: pass once (or set with az keyvault secret set); empty values are not written -----------------
@secure()
@description('Key of the anonymizer\'s keyed hash (Key Vault secret anonymization-key).')
param anonymizationKey string = ''

@secure()
@description('Only for awsCredentialMode AccessKey (secret aws-access-key-id).')
param awsAccessKeyId string = ''

@secure()
@description('Only for awsCredentialMode AccessKey (secret aws-secret-access-key).')
param awsSecretAccessKey string = ''

@secure()
@description('Passwords of targets with auth Password: target name -> password (secret pg-password-<name>).')
param targetPasswords { *: string } = {}

@description('Object id of a person or pipeline principal allowed to write Key Vault secrets.')
param operatorPrincipalId string = ''
param operatorPrincipalType ('User' | 'Group' | 'ServicePrincipal') = 'User'

param keyVaultPurgeProtection bool = true

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'infinite-backup'
}
// Names are computed here, not read back from module outputs, so What-If can predict every resource.
var functionAppName = '${abbrs.webSitesFunctions}backup-${resourceToken}'
var planName = '${abbrs.webServerFarms}${resourceToken}'
var identityName = '${abbrs.managedIdentityUserAssignedIdentities}backup-${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var logAnalyticsName = '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'

module identity 'core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containers: [deploymentContainerName]
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module keyVault 'core/security/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    secrets: union({
      'anonymization-key': anonymizationKey
      'aws-access-key-id': awsAccessKeyId
      'aws-secret-access-key': awsSecretAccessKey
    }, toObject(items(targetPasswords), item => 'pg-password-${item.key}', item => item.value))
  }
}

module postgres 'app/postgres.bicep' = {
  name: 'postgres'
  scope: resourceGroup(postgresResourceGroupName)
  params: {
    serverName: postgresServerName
    mode: postgresMode
    location: location
    tags: tags
    backupRetentionDays: postgresBackupRetentionDays
    geoRedundantBackup: postgresGeoRedundantBackup
    entraAdmin: postgresEntraAdmin
    administratorPassword: postgresAdministratorPassword
  }
}

module function 'app/function.bicep' = {
  name: 'function'
  params: {
    name: functionAppName
    planName: planName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    identityName: identity.outputs.name
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    keyVaultUri: keyVault.outputs.uri
    postgresHost: postgres.outputs.host
    backupTargets: backupTargets
    s3: s3
    awsCredentialMode: awsCredentialMode
    awsRoleArn: awsRoleArn
    backupSchedule: backupSchedule
    verifySchedule: verifySchedule
    anonymizationPolicyFile: anonymizationPolicyFile
    compressionLevel: compressionLevel
    workers: workers
    lockTimeoutSeconds: lockTimeoutSeconds
    shrinkWarningFraction: shrinkWarningFraction
    failOnShrink: failOnShrink
    staleAfterHours: staleAfterHours
    verificationScratchDatabase: verificationScratchDatabase
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
  // The host reads storage and Key Vault with the identity at start-up: roles first (and the storage
  // account must exist before the site points at its deployment container).
  dependsOn: [
    rbac
    storage
  ]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  params: {
    identityName: identityName
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
  // Names are passed as values (What-If), so the order is stated: assignments need their scopes to exist.
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = function.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${function.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_IDENTITY_NAME string = identity.outputs.name
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_BACKUP_RETENTION_DAYS int = postgres.outputs.backupRetentionDays
output POSTGRES_GEO_REDUNDANT_BACKUP string = postgres.outputs.geoRedundantBackup
output APP_SETTING_NAMES string[] = function.outputs.settingNames
