// Minimal typings for the parts of irc-framework (an independent IRC client) the e2e
// tests use; the package ships none.
declare module 'irc-framework' {
  import { EventEmitter } from 'node:events';
  export interface ConnectOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    auto_reconnect?: boolean;
    enable_echomessage?: boolean;
    enable_setname?: boolean;
    enable_chghost?: boolean;
    ping_interval?: number;
  }
  export class Client extends EventEmitter {
    constructor(opts?: Record<string, unknown>);
    connect(opts: ConnectOptions): void;
    join(channel: string, key?: string): void;
    part(channel: string, message?: string): void;
    say(target: string, message: string): void;
    notice(target: string, message: string): void;
    action(target: string, message: string): void;
    setTopic(channel: string, topic: string): void;
    raw(line: string): void;
    quit(message?: string): void;
    addMonitor(target: string): void;
    monitorlist(cb: (e: { nicks: string[] }) => void): void;
    whois(nick: string, cb?: (e: Record<string, unknown>) => void): void;
    changeNick(nick: string): void;
    request_extra_caps: string[];
    user: { nick: string };
    network: { cap: { enabled: string[] }; options: Record<string, string> };
  }
}
