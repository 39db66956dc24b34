/**
 * A labelled text input, with a hint that describes it when there is one: the one shape of the
 * add and create forms' fields, so that label, hint and `aria-describedby` cannot drift apart.
 */
import type { ComponentProps } from 'react';

export function TextField({ id, label, hint, ...input }: { id: string; label: string; hint?: string } & Omit<ComponentProps<'input'>, 'id'>) {
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      <input id={id} {...(hint ? { 'aria-describedby': hintId } : {})} {...input} />
    </div>
  );
}
