/**
 * The command table: every command the server understands, with the checks that
 * server.dispatch applies before calling its handler.
 */
import type { CommandSpec } from './types.js';
import { registrationCommands } from './registration.js';
import { channelCommands } from './channel.js';
import { modeCommands } from './mode.js';
import { messagingCommands } from './messaging.js';
import { userCommands } from './user.js';
import { queryCommands } from './query.js';
import { operCommands } from './oper.js';
import { historyCommands } from './history.js';
import { accountCommands } from './account.js';
import { nickServCommands } from './nickserv.js';
import { tokenCommands } from './token.js';
import { uploadCommands } from './upload.js';
import { seenCommands } from './seen.js';
import { readMarkerCommands } from './readmarker.js';
import { monitorCommands } from './monitor.js';
import { batchCommands } from './batch.js';
import { redactCommands } from './redact.js';
import { renameCommands } from './rename.js';
import { metadataCommands } from './metadata.js';

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  Object.entries({
    ...registrationCommands,
    ...channelCommands,
    ...modeCommands,
    ...messagingCommands,
    ...userCommands,
    ...queryCommands,
    ...operCommands,
    ...historyCommands,
    ...accountCommands,
    ...nickServCommands,
    ...tokenCommands,
    ...uploadCommands,
    ...seenCommands,
    ...readMarkerCommands,
    ...monitorCommands,
    ...batchCommands,
    ...redactCommands,
    ...renameCommands,
    ...metadataCommands,
  }),
);
