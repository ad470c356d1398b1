// The AdminJS database of an engine app: one resource per declared collection, each backed by its Feathers service.
import { BaseDatabase } from 'adminjs'
import type { EngineApp } from '../engine.js'
import { FeathersResource } from './resource.js'

export class FeathersDatabase extends BaseDatabase {
  static isAdapterFor(raw: any): boolean {
    return !!raw && typeof raw.service === 'function' && Array.isArray(raw.blueprint?.collections)
  }

  constructor(private _app: EngineApp) {
    super(_app)
  }

  resources(): FeathersResource[] {
    return this._app.blueprint.collections.map((collection) => new FeathersResource({ app: this._app, collection }))
  }
}
