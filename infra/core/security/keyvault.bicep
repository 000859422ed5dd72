// Key Vault in RBAC mode holding the secrets the app settings reference (@Microsoft.KeyVault(SecretUri=...)).
// A secret is written only when its value is passed; otherwise set it once with `az keyvault secret set`
// (infra/README.md) so values never sit in a parameters file or in the deployment history.
import { resourceTags } from '../../types.bicep'

param name string
param location string
param tags resourceTags = {}

@description('Purge protection cannot be turned off again; on for production, off lets a test environment be purged.')
param enablePurgeProtection bool = true

@description('Secrets to write now: name -> value. Empty values are skipped.')
@secure()
param secrets { *: string } = {}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [for item in items(secrets): if (!empty(item.value)) {
  parent: vault
  name: item.key
  properties: {
    value: item.value
  }
}]

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
