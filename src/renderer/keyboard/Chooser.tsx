import { useEffect, useMemo, useRef, useState } from 'react';
import { filterItems, type PickerItem } from './picker';

/** A modal type-to-filter list: the command palette and the folder picker. Enter picks, arrows move, Esc closes. */
export function Chooser(props: { title: string; placeholder: string; items: PickerItem[]; onPick: (id: string) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const shown = useMemo(() => filterItems(props.items, text).slice(0, 50), [props.items, text]);
  useEffect(() => inputRef.current?.focus(), []);
  useEffect(() => setActive(0), [text]);
  const pick = (item: PickerItem | undefined) => {
    if (!item) return;
    props.onClose();
    props.onPick(item.id);
  };
  return (
    <div className="modal-backdrop" onMouseDown={props.onClose}>
      <div className="chooser" role="dialog" aria-modal="true" aria-label={props.title} onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={inputRef}
          className="chooser-input"
          value={text}
          placeholder={props.placeholder}
          aria-label={props.title}
          role="combobox"
          aria-expanded="true"
          aria-controls="chooser-list"
          aria-activedescendant={shown[active] ? `chooser-${active}` : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive(Math.min(shown.length - 1, active + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive(Math.max(0, active - 1));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              pick(shown[active]);
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              props.onClose();
            }
          }}
        />
        <ul className="chooser-list" role="listbox" id="chooser-list" aria-label={`${props.title} results`}>
          {shown.map((item, i) => (
            <li
              key={item.id}
              id={`chooser-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseEnter={() => setActive(i)}
              onClick={() => pick(item)}
            >
              <span>{item.label}</span>
              {item.hint && <span className="muted hint">{item.hint}</span>}
            </li>
          ))}
          {shown.length === 0 && <li className="muted">Nothing matches</li>}
        </ul>
      </div>
    </div>
  );
}
