// Spot checks of numeric names/values and that every numeric is a 3-digit string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as N from '../../../src/protocol/numerics.js';

test('selected numerics', () => {
  assert.equal(N.RPL_WELCOME, '001');
  assert.equal(N.RPL_ISUPPORT, '005');
  assert.equal(N.ERR_INPUTTOOLONG, '417');
  assert.equal(N.RPL_WHOSPCRPL, '354');
  assert.equal(N.ERR_INVALIDMODEPARAM, '696');
  assert.equal(N.RPL_INVITELIST, '346');
  assert.equal(N.RPL_INVEXLIST, '346');
  assert.equal(N.ERR_NOPRIVS, '723');
  assert.equal(N.RPL_HOSTHIDDEN, '396');
  assert.equal(N.RPL_TOPICWHOTIME, '333');
  assert.equal(N.ERR_UMODEUNKNOWNFLAG, '501');
});

test('all numerics are 3 digits and names are RPL_/ERR_', () => {
  const entries = Object.entries(N);
  assert.ok(entries.length > 130);
  for (const [k, v] of entries) {
    assert.match(k, /^(RPL|ERR)_[A-Z0-9]+$/);
    assert.match(String(v), /^\d{3}$/);
  }
  const want = '001 002 003 004 005 221 251 252 253 254 255 265 266 263 276 301 302 303 305 306 307 311 312 313 314 315 317 318 319 320 321 322 323 324 329 330 331 332 333 335 336 337 338 341 346 347 348 349 351 352 353 366 367 368 369 371 372 374 375 376 378 379 381 382 391 396 400 401 402 403 404 405 406 407 409 411 412 414 417 421 422 423 424 431 432 433 436 441 442 443 451 461 462 464 465 467 471 472 473 474 475 476 477 478 481 482 483 491 501 502 524 525 670 671 691 704 705 706 900 903 904 906 908';
  const have = new Set<string>(entries.map(([, v]) => v));
  for (const code of want.split(' ')) assert.ok(have.has(code), `missing ${code}`);
});
