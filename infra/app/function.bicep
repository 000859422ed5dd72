// The backup Function App on Flex Consumption and, in ONE place, every app setting it reads.
// infra/app-settings.md is the table of these names; tests/Infra.Tests checks the two do not drift.
import { backupTarget, s3Target, resourceTags } from '../types.bicep'

param name string
param planName string
param location string
param tags resourceTags = {}

param identityId string
param identityClientId string
param identityName string

param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string
param keyVaultUri string

@description('Default host for targets that name none (the PostgreSQL Flexible Server FQDN).')
param postgresHost string

param backupTargets backupTarget[]
param s3 s3Target

@description('WebIdentity: assume awsRoleArn with the identity\'s Entra token (no AWS key). AccessKey: keys from Key Vault.')
param awsCredentialMode ('WebIdentity' | 'AccessKey')
param awsRoleArn string

param backupSchedule string
param verifySchedule string
param anonymizationPolicyFile string

@description('gzip/zlib level of every artifact: 0-9, or a System.IO.Compression.CompressionLevel name (Optimal = 6).')
param compressionLevel ('0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'Optimal' | 'Fastest' | 'SmallestSize' | 'NoCompression')
@minValue(0)
param workers int
@minValue(1)
param lockTimeoutSeconds int
@description('A table\'s rows or an artifact\'s size dropping by more than this fraction against the previous backup is a shrink (0 = no check).')
param shrinkWarningFraction string
@description('true: a shrink fails the run and publishes nothing; false: the run publishes and records a warning.')
param failOnShrink bool
@description('The status API answers 503 when a target\'s last good backup is older than this many hours.')
param staleAfterHours string
@description('Existing database on each target\'s server the weekly verification restores into; empty = create and drop ib_verify_* (needs CREATEDB).')
param verificationScratchDatabase string

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

// vaultUri ends with a slash (https://NAME.vault.azure.net/); versionless URIs follow secret rotation.
var keyVaultReference = '${keyVaultUri}secrets'
func secretReference(secretsUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${secretsUri}/${secretName}/)'

// --- App settings: the single list ------------------------------------------------------------------
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  // Local auth is disabled on Application Insights; the SDK authenticates with the user-assigned identity.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  // DefaultAzureCredential / ManagedIdentityCredential pick the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId
}

var scheduleSettings = {
  BACKUP_SCHEDULE: backupSchedule
  VERIFY_SCHEDULE: verifySchedule
}

// One object per target; indices follow the order of backupTargets (index 0 = infinite-prod, 1 = infinite-staging).
var targetSettings = reduce(map(range(0, length(backupTargets)), i => union({
  'Backup__Targets__${i}__Name': backupTargets[i].name
  'Backup__Targets__${i}__Host': backupTargets[i].?host ?? postgresHost
  'Backup__Targets__${i}__Port': string(backupTargets[i].?port ?? 5432)
  'Backup__Targets__${i}__Database': backupTargets[i].database
  'Backup__Targets__${i}__Username': backupTargets[i].?username ?? (backupTargets[i].auth == 'EntraId' ? identityName : backupTargets[i].name)
  'Backup__Targets__${i}__Schemas': backupTargets[i].schemas
  'Backup__Targets__${i}__SslMode': backupTargets[i].?sslMode ?? 'Require'
  'Backup__Targets__${i}__Auth': backupTargets[i].auth
}, backupTargets[i].auth == 'Password' ? {
  'Backup__Targets__${i}__Password': secretReference(keyVaultReference, 'pg-password-${backupTargets[i].name}')
} : {})), {}, (all, next) => union(all, next))

var s3Settings = {
  Backup__S3__Bucket: s3.bucket
  Backup__S3__Prefix: s3.prefix
  Backup__S3__Region: s3.region
  Backup__S3__ServiceUrl: s3.?serviceUrl ?? ''
  Backup__S3__ForcePathStyle: (s3.?forcePathStyle ?? false) ? 'true' : 'false'
  Backup__S3__ServerSideEncryption: s3.?serverSideEncryption ?? 'AES256'
  Backup__S3__KmsKeyId: s3.?kmsKeyId ?? ''
  Backup__S3__StorageClass: s3.?storageClass ?? 'STANDARD'
  Backup__S3__ChecksumMode: s3.?checksumMode ?? 'WhenSupported'
  Backup__S3__VerifyUpload: (s3.?verifyUpload ?? true) ? 'true' : 'false'
  // Empty in AccessKey mode so the SDK's credential chain falls through to the environment keys.
  Backup__S3__RoleArn: awsCredentialMode == 'WebIdentity' ? awsRoleArn : ''
}

// The key-based alternative: present only in AccessKey mode, so no empty AWS_* variables confuse the SDK.
var awsKeySettings = awsCredentialMode == 'AccessKey' ? {
  AWS_ACCESS_KEY_ID: secretReference(keyVaultReference, 'aws-access-key-id')
  AWS_SECRET_ACCESS_KEY: secretReference(keyVaultReference, 'aws-secret-access-key')
} : {}

var backupSettings = {
  Backup__Anonymization__Key: secretReference(keyVaultReference, 'anonymization-key')
  Backup__Anonymization__PolicyFile: anonymizationPolicyFile
  Backup__CompressionLevel: compressionLevel
  Backup__Workers: string(workers)
  Backup__LockTimeoutSeconds: string(lockTimeoutSeconds)
  Backup__ShrinkWarningFraction: shrinkWarningFraction
  Backup__FailOnShrink: failOnShrink ? 'true' : 'false'
  Backup__StaleAfterHours: staleAfterHours
  Backup__Verification__ScratchDatabase: verificationScratchDatabase
}

var appSettings = union(hostSettings, scheduleSettings, targetSettings, s3Settings, awsKeySettings, backupSettings)
// -----------------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'backup' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system identity (there is none).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output settingNames string[] = objectKeys(appSettings)
