import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it('accepts loopback addresses', () => {
    expect(parseListenAddress('127.0.0.1:7420')).toEqual({ ok: true, host: '127.0.0.1', port: 7420 });
    expect(parseListenAddress('localhost:0')).toEqual({ ok: true, host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:80')).toEqual({ ok: true, host: '::1', port: 80 });
  });
  it('refuses everything else with a reason', () => {
    for (const text of ['0.0.0.0:1', '192.168.1.2:1', 'example.com:1', '127.0.0.1', ':80', '127.0.0.1:99999']) {
      expect(parseListenAddress(text).ok, text).toBe(false);
    }
  });
});
