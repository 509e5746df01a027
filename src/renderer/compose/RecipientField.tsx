import { useEffect, useId, useRef, useState } from 'react';
import type { EmailAddress } from '../../shared/types';
import type { Recipient } from '../../shared/contract/compose';
import { call } from '../lib/client';
import { formatAddress, parseTypedAddress } from './quote';

/** A To/Cc/Bcc field: chips for chosen addresses, suggestions from contacts and past correspondents as you type. */
export function RecipientField(props: { label: string; value: EmailAddress[]; onChange: (v: EmailAddress[]) => void; autoFocus?: boolean }) {
  const [text, setText] = useState('');
  const [suggestions, setSuggestions] = useState<Recipient[]>([]);
  const [active, setActive] = useState(0);
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const q = text.trim();
    if (!q) {
      setSuggestions([]);
      return;
    }
    let stale = false;
    const t = setTimeout(() => {
      void call('compose.recipients', { query: q, limit: 8 })
        .then((r) => {
          if (stale) return;
          const chosen = new Set(props.value.map((a) => a.address.toLowerCase()));
          setSuggestions(r.filter((s) => !chosen.has(s.address.toLowerCase())));
          setActive(0);
        })
        .catch(() => undefined);
    }, 60);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [text, props.value]);

  const add = (a: EmailAddress) => {
    if (!props.value.some((v) => v.address.toLowerCase() === a.address.toLowerCase())) props.onChange([...props.value, { name: a.name, address: a.address }]);
    setText('');
    setSuggestions([]);
  };
  const commitTyped = (): boolean => {
    const parsed = parseTypedAddress(text);
    if (parsed) add(parsed);
    return parsed !== null;
  };

  return (
    <div className="recipient-field">
      <label className="field-label" htmlFor={`${listId}-input`}>
        {props.label}
      </label>
      <div className="chips" onClick={() => inputRef.current?.focus()}>
        {props.value.map((a) => (
          <span key={a.address} className="chip" title={a.address}>
            {a.name || a.address}
            <button type="button" aria-label={`Remove ${formatAddress(a)}`} onClick={() => props.onChange(props.value.filter((v) => v !== a))}>
              ×
            </button>
          </span>
        ))}
        <input
          id={`${listId}-input`}
          ref={inputRef}
          value={text}
          autoFocus={props.autoFocus}
          autoComplete="off"
          role="combobox"
          aria-label={props.label}
          aria-expanded={suggestions.length > 0}
          aria-controls={listId}
          aria-activedescendant={suggestions.length ? `${listId}-${active}` : undefined}
          onChange={(e) => {
            const v = e.target.value;
            if (/[,;]$/.test(v) && parseTypedAddress(v)) {
              add(parseTypedAddress(v)!);
              return;
            }
            setText(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && suggestions.length) {
              e.preventDefault();
              setActive((active + 1) % suggestions.length);
            } else if (e.key === 'ArrowUp' && suggestions.length) {
              e.preventDefault();
              setActive((active - 1 + suggestions.length) % suggestions.length);
            } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey && (suggestions.length || text.trim())) {
              const pick = suggestions[active];
              if (pick) {
                e.preventDefault();
                add(pick);
              } else if (commitTyped()) e.preventDefault();
            } else if (e.key === 'Backspace' && !text && props.value.length) {
              props.onChange(props.value.slice(0, -1));
            } else if (e.key === 'Escape' && suggestions.length) {
              e.stopPropagation();
              setSuggestions([]);
            }
          }}
          onBlur={() => {
            commitTyped();
            setTimeout(() => setSuggestions([]), 150);
          }}
        />
      </div>
      {suggestions.length > 0 && (
        <ul className="suggestions" role="listbox" id={listId} aria-label={`${props.label} suggestions`}>
          {suggestions.map((s, i) => (
            <li
              key={s.address}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                add(s);
              }}
            >
              <span>{s.name || s.address}</span> <span className="muted">{s.name ? s.address : ''}</span>
              <span className="badge">{s.source === 'contact' ? 'contact' : 'recent'}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
