// The one identity the Function App runs as: storage, Key Vault, App Insights, PostgreSQL (Entra) and AWS
// (web identity federation) all trust this identity, so rotating the app never touches a credential.
import { resourceTags } from '../../types.bicep'

param name string
param location string
param tags resourceTags = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
