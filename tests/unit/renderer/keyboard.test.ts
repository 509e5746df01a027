import { describe, expect, it } from 'vitest';
import { chordOf, displayBinding, normaliseBinding } from '../../../src/renderer/keyboard/keys';
import { type Action, resolveSequence } from '../../../src/renderer/keyboard/registry';
import { filterItems } from '../../../src/renderer/keyboard/picker';

const press = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) =>
  chordOf({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('key chords', () => {
  it('names presses the way the overlay shows them', () => {
    expect(press('j')).toBe('j');
    expect(press('U', { shiftKey: true })).toBe('shift+u');
    expect(press('I', { shiftKey: true })).toBe('shift+i');
    expect(press('#', { shiftKey: true })).toBe('#');
    expect(press('!', { shiftKey: true })).toBe('!');
    expect(press('?', { shiftKey: true })).toBe('?');
    expect(press('k', { ctrlKey: true })).toBe('mod+k');
    expect(press('k', { metaKey: true })).toBe('mod+k');
    expect(press('Enter', { ctrlKey: true })).toBe('mod+enter');
    expect(press('Escape')).toBe('escape');
    expect(press('Shift', { shiftKey: true })).toBeNull();
  });

  it('normalises what a person types when rebinding', () => {
    expect(normaliseBinding(' Shift+U ')).toBe('shift+u');
    expect(normaliseBinding('Ctrl+K')).toBe('mod+k');
    expect(normaliseBinding('Cmd+Return')).toBe('mod+enter');
    expect(normaliseBinding('g   I')).toBe('g i');
    expect(normaliseBinding('Esc')).toBe('escape');
    expect(displayBinding('mod+enter', false)).toBe('Ctrl+Enter');
    expect(displayBinding('mod+enter', true)).toBe('⌘+Enter');
    expect(displayBinding('g i', false)).toBe('g then i');
  });
});

describe('key sequences', () => {
  const ran: string[] = [];
  const action = (id: string, keys: string[], scope: Action['scope'] = 'mail'): Action => ({ id, label: id, group: 'g', keys, scope, run: () => ran.push(id) });
  const actions = [action('inbox', ['g i']), action('sent', ['g s']), action('archive', ['e']), action('compose', ['c'], 'global')];
  const overrides: Record<string, string[]> = { archive: ['y'] };
  const bindingsOf = (id: string) => overrides[id] ?? actions.find((a) => a.id === id)!.keys;
  const all = () => true;

  it('waits after the first key of a sequence and resolves on the second', () => {
    expect(resolveSequence(actions, bindingsOf, ['g'], all)).toEqual({ action: null, partial: true });
    expect(resolveSequence(actions, bindingsOf, ['g', 'i'], all).action?.id).toBe('inbox');
    expect(resolveSequence(actions, bindingsOf, ['g', 'x'], all)).toEqual({ action: null, partial: false });
  });

  it('honours the user binding instead of the default', () => {
    expect(resolveSequence(actions, bindingsOf, ['y'], all).action?.id).toBe('archive');
    expect(resolveSequence(actions, bindingsOf, ['e'], all).action).toBeNull();
  });

  it('respects scope', () => {
    const globalOnly = (a: Action) => a.scope === 'global';
    expect(resolveSequence(actions, bindingsOf, ['y'], globalOnly).action).toBeNull();
    expect(resolveSequence(actions, bindingsOf, ['c'], globalOnly).action?.id).toBe('compose');
  });
});

describe('type-to-filter', () => {
  const folders = [
    { id: '1', label: 'Inbox' },
    { id: '2', label: 'Projects', hint: 'Work/Projects' },
    { id: '3', label: 'Receipts', hint: 'Personal/Receipts' },
    { id: '4', label: 'Old projects', hint: 'Archive/Old projects' },
  ];
  it('keeps items containing every typed word, best (prefix) matches first', () => {
    expect(filterItems(folders, 'proj').map((f) => f.id)).toEqual(['2', '4']);
    expect(filterItems(folders, 'personal rec').map((f) => f.id)).toEqual(['3']);
    expect(filterItems(folders, '').length).toBe(4);
    expect(filterItems(folders, 'nothing')).toEqual([]);
  });
});
