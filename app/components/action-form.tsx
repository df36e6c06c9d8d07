import { Form, useNavigation, useRouteLoaderData, type FormProps } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { SUBMIT_KEY } from "~/lib/forms";
import type { loader as rootLoader } from "~/root";

const usePage = () => useRouteLoaderData<typeof rootLoader>("root");

/** The message an action left for this page (the root layout shows it), or null. */
export const usePageMessage = () => usePage()?.flash ?? null;

/**
 * The page's one-time key as a hidden field. Every page load makes a new one, so a form sent
 * twice from one page (a double click, a resend) is one request, and the next is another.
 */
export function SubmitKey() {
  const key = usePage()?.submitKey;
  return key ? <input type="hidden" name={SUBMIT_KEY} value={key} /> : null;
}

/**
 * A form that posts: it carries the page's one-time key (docs/decisions/020) and, once its
 * action worked (the answer left a message), empties itself, so that a question sent with
 * JavaScript does not stay in its box. A refused post keeps what was typed.
 */
export function ActionForm({ children, method = "post", onSubmit, ...props }: FormProps) {
  const form = useRef<HTMLFormElement>(null);
  const message = usePageMessage()?.id;
  const navigation = useNavigation();
  const sent = useRef(false);
  const seen = useRef(message);
  useEffect(() => {
    if (navigation.state !== "idle") return;
    if (sent.current && message && message !== seen.current) form.current?.reset();
    sent.current = false;
    seen.current = message;
  }, [navigation.state, message]);
  return (
    <Form
      method={method}
      ref={form}
      onSubmit={(event) => {
        sent.current = true;
        onSubmit?.(event);
      }}
      {...props}
    >
      <SubmitKey />
      {children}
    </Form>
  );
}
