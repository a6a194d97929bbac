;;; e2e.el --- The documented Emacs (eglot) configuration, end to end  -*- lexical-binding: t -*-

;; Run by tests/editors/test_emacs.py as `emacs --batch -l e2e.el' with CODER_CATALOG_E2E naming a
;; JSON file: {scenario, config (the elisp extracted from docs/editors.md), file, url, results, token?}.
;; Not -Q: the site start files run as for a user (Debian's put the elpa-* packages on load-path); the
;; home is the test's own, so no init file but the documented configuration is loaded.
;; It stands in for the user only: it loads the documented configuration, points its accessUrl at the
;; simulator, opens the catalog file, runs the next command's post-command-hook (where `eglot-ensure'
;; connects), answers the prompts (code action choice, password, y-or-n-p) and reports what it saw as
;; JSON in `results'.  The server is the real `coder-catalog serve' found on PATH.

(require 'cl-lib)
(require 'json)
(require 'subr-x)
(require 'ert-x)                        ; ert-run-idle-timers

(defvar e2e-config
  (let ((json-object-type 'plist) (json-array-type 'list) (json-key-type 'keyword))
    (json-read-file (getenv "CODER_CATALOG_E2E"))))
(defvar e2e-steps nil "The steps done, newest first: plists (:name NAME :detail DETAIL).")
(defvar e2e-prompts nil "The prompts answered, newest first.")
(defvar e2e-done nil)
(defconst e2e-timeout 50 "Seconds before the driver gives up (the test kills Emacs a little later).")

(defun e2e-get (key) (plist-get e2e-config key))

(defun e2e-step (name detail)
  (push (list :name name :detail detail) e2e-steps)
  (message "e2e: %s %S" name detail))

(defun e2e-messages (&optional count)
  "The last COUNT lines of *Messages* (batch Emacs logs there too), oldest first."
  (last (split-string (with-current-buffer (messages-buffer) (buffer-string)) "\n" t) (or count 40)))

(defvar e2e-publishes 0 "How many textDocument/publishDiagnostics eglot handled.")
(with-eval-after-load 'eglot
  (advice-add 'eglot-handle-notification :after
              (lambda (_server method &rest _)
                (when (eq method 'textDocument/publishDiagnostics)
                  (setq e2e-publishes (1+ e2e-publishes))))))

(defun e2e-events ()
  "The tail of the eglot events buffers (the JSON-RPC traffic), for a failure report."
  (mapconcat (lambda (buffer)
               (with-current-buffer buffer
                 (buffer-substring-no-properties (max (point-min) (- (point-max) 6000)) (point-max))))
             (cl-remove-if-not (lambda (b) (string-match-p "EGLOT.*events" (buffer-name b)))
                               (buffer-list))
             "\n"))

(defun e2e-finish (ok error)
  (unless e2e-done
    (setq e2e-done t)
    (with-temp-file (e2e-get :results)
      (insert (json-encode
               (list :ok (if ok t :json-false)
                     :error error
                     :steps (vconcat (reverse e2e-steps))
                     :messages (vconcat (e2e-messages))
                     :prompts (vconcat (reverse e2e-prompts))
                     :diagnostics (let ((buffer (find-buffer-visiting (e2e-get :file))))
                                    (if (buffer-live-p buffer)
                                        (with-current-buffer buffer (vconcat (e2e-diagnostics)))
                                      []))
                     :events (if ok "" (e2e-events))))))
    (kill-emacs (if ok 0 1))))

(defun e2e-wait (what predicate &optional seconds)
  "Wait until PREDICATE returns non-nil (its value), reading process output; fail after SECONDS.
The user is idle meanwhile: the idle timers run once (batch Emacs is never idle by itself, and eglot
sends its buffer changes from an idle timer, Flymake checks from another)."
  (ert-run-idle-timers)
  (let ((deadline (+ (float-time) (or seconds 20))) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (error "Timed out waiting for %s" what))))

(defun e2e-line (number)
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- number))
    (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

(defun e2e-diagnostics ()
  "Flymake's diagnostics in the current buffer: plists (:code :line :text), in line order."
  (sort (mapcar (lambda (diag)
                  (let ((text (flymake-diagnostic-text diag)))
                    (list :code (and (string-match "\\[\\(CC[0-9]+\\)\\]" text) (match-string 1 text))
                          :line (line-number-at-pos (flymake-diagnostic-beg diag))
                          :type (symbol-name (flymake-diagnostic-type diag))
                          :text text)))
                (flymake-diagnostics))
        (lambda (a b) (< (plist-get a :line) (plist-get b :line)))))

(defun e2e-codes () (mapcar (lambda (d) (plist-get d :code)) (e2e-diagnostics)))

(defun e2e-set-access-url (url)
  "Point the documented `eglot-workspace-configuration' at URL, keeping the rest as documented."
  (let* ((documented (default-value 'eglot-workspace-configuration))
         (conf (copy-tree documented))
         (deployment (plist-get (plist-get conf :coderCatalog) :deployment)))
    (unless (stringp (plist-get deployment :accessUrl))
      (error "The documented eglot-workspace-configuration has no :coderCatalog :deployment :accessUrl: %S"
             documented))
    (plist-put deployment :accessUrl url)
    (setq-default eglot-workspace-configuration conf)
    (e2e-step "configured" (list :documented (format "%S" documented) :used (format "%S" conf)))))

(defun e2e-open-and-connect ()
  "Visit the catalog file as a user would; return the eglot server once it manages the buffer."
  ;; What an init file does before the documented lines on Emacs 28, where eglot and yaml-mode are
  ;; packages (Debian: elpa-eglot, elpa-yaml-mode); Emacs 27+ does it itself outside batch mode.
  (package-initialize)
  (load (e2e-get :config) nil t t)
  (e2e-step "loaded" (list :emacs emacs-version
                           :eglot (locate-library "eglot")
                           :yamlMode (locate-library "yaml-mode")))
  (find-file (e2e-get :file))
  (e2e-step "opened" (list :mode (symbol-name major-mode) :eglotLoaded (featurep 'eglot)))
  (unless (featurep 'eglot)
    (error "Opening %s (%s) did not start eglot: no mode hook of the configuration ran"
           buffer-file-name major-mode))
  (e2e-set-access-url (e2e-get :url))
  ;; `eglot-ensure' connects after the current command, from `post-command-hook'.
  (run-hooks 'post-command-hook)
  (let ((server (e2e-wait "eglot to connect" (lambda () (and eglot--managed-mode (eglot-current-server))))))
    (e2e-step "connected" (list :server (plist-get (eglot--server-info server) :name)
                                :version (plist-get (eglot--server-info server) :version)
                                :command (vconcat (process-command (jsonrpc--process server)))
                                :flymake (and flymake-mode t)))
    server))

(defun e2e-goto (text)
  (goto-char (point-min))
  (unless (search-forward text nil t) (error "%S is not in the buffer" text))
  (goto-char (match-beginning 0)))

(defun e2e-code-actions-at (text choose)
  "Run `eglot-code-actions' as a user would with point on TEXT; pick the title CHOOSE (a function of
the titles offered, nil to cancel).  Return the titles offered."
  (e2e-goto text)
  (let (titles)
    (cl-letf (((symbol-function 'completing-read)
               (lambda (prompt collection &rest _)
                 (setq titles (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
                 (push (list :prompt prompt :items (vconcat titles)) e2e-prompts)
                 (or (funcall choose titles) (signal 'quit nil)))))
      ;; A command run from the keyboard (not a mouse menu): eglot asks with `completing-read'.
      (let ((last-nonmenu-event ?\r) (this-command 'eglot-code-actions))
        (condition-case nil
            (call-interactively #'eglot-code-actions)
          (quit nil))
        (run-hooks 'post-command-hook)))
    titles))

(defun e2e-scenario-edit ()
  (let* ((server (e2e-open-and-connect))
         (expected (e2e-get :expectCodes)))
    (e2e-wait (format "flymake to show %s" expected)
              (lambda () (cl-subsetp expected (e2e-codes) :test #'equal)))
    (e2e-step "diagnostics" (list :diagnostics (vconcat (e2e-diagnostics))))
    (let* ((wanted (e2e-get :fixTitle))
           (titles (e2e-code-actions-at (e2e-get :fixAt)
                                        (lambda (titles) (car (member wanted titles)))))
           (line (line-number-at-pos)))
      (e2e-step "code actions" (list :titles (vconcat titles) :line line))
      (unless (member wanted titles) (error "No code action %S at %S: %S" wanted (e2e-get :fixAt) titles))
      (e2e-wait "the quick fix to edit the buffer" (lambda () (equal (e2e-line line) (e2e-get :fixedLine))))
      (e2e-wait "the fixed finding to go" (lambda () (not (member (e2e-get :fixedCode) (e2e-codes)))))
      (e2e-step "fixed" (list :line (e2e-line line) :diagnostics (vconcat (e2e-diagnostics)))))
    (let ((titles (e2e-code-actions-at (e2e-get :otherAt) #'ignore)))
      (e2e-step "other code actions" (list :titles (vconcat titles))))
    (eglot-shutdown server nil 5)
    (e2e-step "shutdown" (list :live (if (process-live-p (jsonrpc--process server)) t :json-false)))))

(defun e2e-scenario-accounts ()
  (let ((server (e2e-open-and-connect))
        (token (e2e-get :token)))
    ;; Without a credential the server checks the shape only: no template finding yet.
    (e2e-wait "the first diagnostics" (lambda () (> e2e-publishes 0)))
    (e2e-step "before" (list :codes (vconcat (e2e-codes))))
    (cl-letf (((symbol-function 'read-passwd)
               (lambda (prompt &rest _) (push (list :prompt prompt) e2e-prompts) token))
              ((symbol-function 'y-or-n-p)
               (lambda (prompt) (push (list :prompt prompt :answer "y") e2e-prompts) t)))
      (let ((this-command 'coder-catalog-link-account))
        (call-interactively #'coder-catalog-link-account)
        (run-hooks 'post-command-hook)))
    (e2e-step "linked" (list :message (car (e2e-messages 1))))
    (e2e-wait "flymake to show CC201 with the linked account"
              (lambda () (member "CC201" (e2e-codes))))
    (e2e-step "after" (list :codes (vconcat (e2e-codes))))
    (eglot-shutdown server nil 5)))

;; The catalog as a graph: `xref-find-definitions' (M-.) on the value of `owner: team-a' goes to the
;; Group's name in the file that a Location of the project names (eglot: textDocument/definition).
(defun e2e-scenario-definition ()
  (let* ((server (e2e-open-and-connect))
         (origin (current-buffer))
         (stats (e2e-wait
                 "the catalog index of the project"
                 (lambda ()
                   (let ((index (plist-get (jsonrpc-request server :workspace/executeCommand
                                                            '(:command "coderCatalog.serverStats"
                                                              :arguments []))
                                           :catalogIndex)))
                     (and (eq (plist-get index :ready) t)
                          (eql (plist-get index :files) (e2e-get :files))
                          index))))))
    (e2e-step "indexed" (list :stats stats))
    (e2e-goto (e2e-get :definitionAt))
    (forward-char (length "  owner: "))
    (let ((this-command 'xref-find-definitions))
      (call-interactively #'xref-find-definitions)
      (run-hooks 'post-command-hook))
    (when (eq (current-buffer) origin)
      (error "xref-find-definitions stayed in %s at line %d" buffer-file-name (line-number-at-pos)))
    (e2e-step "definition" (list :file (file-truename buffer-file-name)
                                 :line (line-number-at-pos)
                                 :column (current-column)
                                 :text (e2e-line (line-number-at-pos))))
    (eglot-shutdown server nil 5)))

(run-with-timer e2e-timeout nil
                (lambda () (e2e-finish nil (format "the driver timed out after %s seconds" e2e-timeout))))

(condition-case err
    (progn
      (pcase (e2e-get :scenario)
        ("edit" (e2e-scenario-edit))
        ("accounts" (e2e-scenario-accounts))
        ("definition" (e2e-scenario-definition))
        (other (error "Unknown scenario %S" other)))
      (e2e-finish t nil))
  (error (e2e-finish nil (error-message-string err))))

;;; e2e.el ends here
