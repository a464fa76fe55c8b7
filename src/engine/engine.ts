/** The engine: catalog + storage + system relations, shared by all sessions. */
import { Catalog, type SystemRelation } from '../catalog/catalog.js';
import { buildSystemRelations } from '../catalog/system/relations.js';
import type { Storage } from '../storage/api.js';
import type { Backend, BackendRegistry } from '../wire/backend.js';
import { Session, type EngineState } from './session.js';
import { randomInt } from 'node:crypto';

export class Engine implements EngineState, BackendRegistry {
  readonly catalog = new Catalog();
  private readonly system: SystemRelation[] = buildSystemRelations();
  private readonly sessions = new Map<number, Session>();
  private nextPid = 1000 + (process.pid % 30000);

  constructor(readonly storage: Storage) {}

  systemRelation(schema: string | undefined, name: string): SystemRelation | undefined {
    if (schema !== undefined && schema !== 'pg_catalog' && schema !== 'information_schema') return undefined;
    // Unqualified names find pg_catalog relations (it is implicitly first on the search path).
    return this.system.find((r) => r.name === name && (schema === undefined ? r.schema === 'pg_catalog' : r.schema === schema));
  }

  allSystemRelations(): readonly SystemRelation[] {
    return this.system;
  }

  create(): Backend {
    const pid = this.nextPid++;
    const session = new Session(this, pid, randomInt(1, 2 ** 31 - 1));
    this.sessions.set(pid, session);
    const close = session.close.bind(session);
    session.close = () => {
      close();
      this.sessions.delete(pid);
    };
    return session;
  }

  cancel(processId: number, secretKey: number): void {
    const s = this.sessions.get(processId);
    if (s && s.secret === secretKey) s.cancel();
  }
}
