import type { InstallRef } from '../inputs.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Install } from '../wpengine/types.js'
import { allItems } from './pages.js'

const ACCESS_HINT = 'and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)'

/** Finds the install: by ID with one GET, by name through every page of GET /installs (the API has no name filter). */
export async function resolveInstall(client: Pick<WpeClient, 'getInstall' | 'listInstalls'>, ref: InstallRef): Promise<Install> {
  if (ref.kind === 'id') {
    try {
      return await client.getInstall(ref.id)
    } catch (error) {
      if (error instanceof WpeApiError && error.status === 404) {
        throw new WpeApiError(`Install ${ref.id} was not found. Check the install input ${ACCESS_HINT}.`, error.detail)
      }
      throw error
    }
  }
  let seen = 0
  for await (const install of allItems((offset) => client.listInstalls(offset))) {
    seen++
    if (install.name === ref.name) return install
  }
  throw new Error(`No install named '${ref.name}' is visible to this API user (${seen} installs searched). Check the install input ${ACCESS_HINT}.`)
}
