#include "core/models/ConfigHelp.h"

#include <algorithm>
#include <sstream>

namespace hepgen::models {

namespace {

struct Entry {
    const char* scopes; ///< space-separated family names, "trainer", or "*" for any family
    const char* key;
    const char* text;
    std::vector<std::string> choices;
};

const char* const kFlows = "flow-affine flow-rqs maf-affine maf-rqs";
const char* const kTimeModels = "ddpm edm cfm cfm-ot bayes-cfm consistency shower-points";

const std::vector<Entry>& entries()
{
    static const std::vector<Entry> table {
        // Optimiser (every family): listed first for lookup, ranked last in forms (see configFieldRank).
        { "*", "optimizer", "Optimiser: Adam, or AdamW with decoupled weight decay.", { "adam", "adamw" } },
        { "*", "lr", "Learning rate at the peak of the schedule (Adam step size).", {} },
        { "*", "weight_decay", "Weight decay: an L2 penalty for adam, decoupled decay for adamw (0: off).", {} },
        { "*", "beta1", "Adam's decay rate of the first-moment (mean gradient) average, in [0, 1).", {} },
        { "*", "beta2", "Adam's decay rate of the second-moment (squared gradient) average, in [0, 1).", {} },
        // The point model of the shower generator (core/models/points/PointCloudModel.h); its diffusion, EDM and
        // consistency keys share the entries of those families below.
        { "shower-points", "network",
            "Point network: pointwise (PointWise-Net, each hit given the shower context) or epic (EPiC layers "
            "exchanging global information between the hits).",
            { "pointwise", "epic" } },
        { "shower-points", "training",
            "Objective: ddpm (noise prediction), edm (Karras et al. preconditioned denoising) or cfm (flow "
            "matching). Only edm can be distilled to one step.",
            { "edm", "ddpm", "cfm" } },
        { "shower-points", "train_points",
            "pointwise: each training step, and the validation loss (the same fixed subset every epoch), uses at most "
            "this many random hits of every shower (0: all hits).",
            {} },
        { "shower-points", "epic_width", "epic: width of the per-hit features.", {} },
        { "shower-points", "epic_global", "epic: width of the global (per-shower) feature vector.", {} },
        { "shower-points", "epic_layers", "epic: number of EPiC layers.", {} },
        { "shower-points", "epic_sum_scale", "epic: the sum over hits is divided by this before the global update.",
            {} },
        { "shower-points", "sampler",
            "Default sampler (empty: the objective's own): ddpm or ddim for ddpm, edm-heun for edm, heun, euler or "
            "rk4 for cfm.",
            {} },
        // The shower generator's own settings (core/showers/ShowerGenerator.h).
        { "shower", "seed", "Seed of the dequantisation noise and of every stage's trainer.", {} },
        { "shower", "max_showers", "Train on at most this many showers with hits (0: all).", {} },
        { "shower", "depth_axis", "Which axis runs along the depth (auto: z when the geometry lists layers).",
            { "auto", "x", "y", "z" } },
        { "shower", "lateral",
            "Lateral hit positions: on the square cell grid of the geometry, or continuous (auto: cells when the "
            "geometry has a cell size).",
            { "auto", "cells", "continuous" } },
        { "shower", "core_hits",
            "Draw each layer's hit in the shower's core cell from the shower flow (its share of the layer energy), and "
            "the share of the other hits' energy in the 8 cells around it, and leave only the other hits to the point "
            "model: an i.i.d. point model blurs that one large hit into its neighbours (auto: yes on a cell grid).",
            { "auto", "yes", "no" } },
        // Flows.
        { kFlows, "layers", "Number of coupling (or autoregressive) layers; more layers give a more flexible map.",
            {} },
        { kFlows, "hidden", "Hidden layer widths of each layer's conditioner network (MADE for maf-*).", {} },
        { kFlows, "bins", "Number of spline bins K of each rational-quadratic transform.", {} },
        { kFlows, "tail_bound",
            "Splines act on [-B, B]; outside it the transform is the identity (linear tails). In preprocessed units.",
            {} },
        { kFlows, "affine_scale", "How the affine layers bound their log-scale: tanh or softplus.",
            { "tanh", "softplus" } },
        { kFlows, "permutation", "How features are permuted between layers.", { "none", "reverse", "random" } },
        { kFlows, "permutation_seed", "Seed of the random permutations.", {} },
        // Time-conditioned networks (diffusion, flow matching).
        { kTimeModels, "hidden", "Hidden layer widths of the denoising / velocity network.", {} },
        { kTimeModels, "time_embedding", "Width of the sinusoidal time embedding (even).", {} },
        { kTimeModels, "time_scale", "Multiplies the network's time input before the embedding.", {} },
        { kTimeModels, "residual", "Residual blocks, with time and context added in every block.", {} },
        { kTimeModels, "sample_steps", "Number of sampler steps (network evaluations per step depend on the solver).",
            {} },
        // DDPM.
        { "ddpm shower-points", "schedule", "Noise schedule beta_t: linear (Ho et al.) or cosine (Nichol & Dhariwal).",
            { "linear", "cosine" } },
        { "ddpm shower-points", "timesteps", "Number of diffusion steps T of the forward process.", {} },
        { "ddpm shower-points", "beta_start", "First beta of the linear schedule (for T = 1000; scaled by 1000/T).",
            {} },
        { "ddpm shower-points", "beta_end", "Last beta of the linear schedule (for T = 1000; scaled by 1000/T).", {} },
        { "ddpm", "sampler", "ddpm: ancestral sampling over all T steps; ddim: deterministic with sample_steps steps.",
            { "ddpm", "ddim" } },
        { "ddpm shower-points", "eta", "DDIM stochasticity: 0 deterministic, 1 like DDPM.", {} },
        { "ddpm shower-points", "min_alpha_bar",
            "Floor m of the cumulative signal fraction: alpha_bar -> m + (1 - m) alpha_bar, so the last step keeps "
            "a trace of the data and DDIM stays stable with the cosine schedule.",
            {} },
        { "ddpm", "variance", "Variance of the ancestral step: beta_t or the posterior's beta~_t.",
            { "beta", "beta_tilde" } },
        // EDM.
        { "edm shower-points", "sigma_data",
            "Standard deviation of the data (1 for standardised data) in the preconditioning.", {} },
        { "edm shower-points", "p_mean", "Training noise levels: ln(sigma) ~ N(p_mean, p_std^2).", {} },
        { "edm shower-points", "p_std", "Training noise levels: ln(sigma) ~ N(p_mean, p_std^2).", {} },
        { "edm", "sampler", "Heun's second-order solver of the probability-flow ODE (Karras et al.).", { "edm-heun" } },
        { "edm shower-points", "sigma_min", "Smallest noise level of the sampling grid.", {} },
        { "edm shower-points", "sigma_max", "Largest noise level of the sampling grid (the prior's width).", {} },
        { "edm shower-points", "rho", "Spacing of the sampling grid in sigma (7: denser near the data).", {} },
        // Flow matching.
        { "cfm cfm-ot bayes-cfm", "sampler", "ODE solver from noise (t = 1) to data (t = 0).",
            { "euler", "heun", "rk4" } },
        { "cfm-ot", "ot_context_weight",
            "How strongly mini-batch optimal transport keeps pairs of similar context together.", {} },
        { "bayes-cfm", "prior_std", "Width of the Gaussian prior N(0, prior_std^2) on every weight.", {} },
        { "bayes-cfm", "initial_sigma",
            "Initial posterior standard deviation of every weight (small: start almost "
            "deterministic; the KL term widens what the data leave free).",
            {} },
        { "bayes-cfm", "draws", "Posterior weight draws behind samples, densities and their spread.", {} },
        // Consistency models.
        { "consistency", "sigma_data", "Standard deviation of the data in the preconditioning (the teacher's).", {} },
        { "consistency", "sigma_min", "Smallest noise level: f(x, sigma_min) = x (the boundary condition).", {} },
        { "consistency", "sigma_max", "Largest noise level: one-step samples start from N(0, sigma_max^2).", {} },
        { "consistency", "rho", "Spacing of the Karras noise grid (7: denser near the data).", {} },
        { "consistency shower-points", "grid_steps",
            "Points N of the noise grid on which the student is made consistent.", {} },
        { "consistency shower-points", "target_ema",
            "Decay of the target network, an EMA of the student (0: the student itself).", {} },
        { "consistency shower-points", "loss", "Distance between student and target: squared L2 or pseudo-Huber.",
            { "l2", "pseudo-huber" } },
        { "consistency shower-points", "huber_c", "The constant c of the pseudo-Huber distance sqrt(d^2 + c^2) - c.",
            {} },
        { "consistency shower-points", "sigma_mid", "Noise level the second sampling step re-noises to.", {} },
        { "consistency shower-points", "teacher",
            "The edm run this student was distilled from (empty: consistency training without a teacher).", {} },
        // Deep ensembles of any family.
        { "*", "ensemble", "Number of independently initialised members (1: no ensemble).", {} },
        { "*", "ensemble_bootstrap", "Every member trains on its own bootstrap resample of each batch.", {} },
        // GANs.
        { "gan wgan-gp", "latent_dim", "Dimension of the generator's latent noise z.", {} },
        { "gan wgan-gp", "generator_hidden", "Hidden layer widths of the generator.", {} },
        { "gan wgan-gp", "critic_hidden", "Hidden layer widths of the discriminator / critic.", {} },
        { "gan wgan-gp", "critic_steps", "Discriminator / critic updates per generator update.", {} },
        { "gan wgan-gp", "gp_lambda", "Weight of the gradient penalty (wgan-gp).", {} },
        { "gan wgan-gp", "critic_lr", "Learning rate of the discriminator / critic (0: same as lr).", {} },
        // VAE.
        { "vae", "latent_dim", "Dimension of the latent space z.", {} },
        { "vae", "hidden", "Hidden layer widths of the encoder (the decoder mirrors them).", {} },
        { "vae", "beta", "Weight of the KL term (beta-VAE; 0: a plain auto-encoder).", {} },
        { "vae", "learn_sigma", "Learn the decoder's Gaussian width per feature.", {} },
        { "vae", "sigma", "The decoder's Gaussian width (fixed, or the learned one's start), preprocessed units.", {} },
        { "vae", "sample_noise", "Add the decoder's Gaussian noise to generated samples.", {} },
        // Shared by the families with hidden layers.
        { "*", "activation", "Non-linearity between the hidden layers.", { "silu", "relu", "leaky_relu", "tanh" } },
        // Anomaly hunt (core/anomaly/Hunt.h): its own settings ("hunt"), the conditional densities ("density"),
        // the boosted trees ("bdt") and the networks of the MLP ensemble ("classifier").
        { "hunt", "oversampling", "CATHODE / LaCATHODE: background samples drawn per SR event (the reference class).",
            {} },
        { "hunt", "kde_bandwidth",
            "Width of the Gaussian KDE of the SR masses the samples are conditioned on, TeV (0: Silverman's rule).",
            {} },
        { "hunt", "iad_template_fraction",
            "IAD with one labelled file: share of the SR background that becomes the background template.", {} },
        { "hunt", "ranode_epochs", "R-ANODE: passes over the SR data when fitting the signal flow and w.", {} },
        { "hunt", "ranode_fraction",
            "R-ANODE: the signal fraction w of the SR, held at this value (default 0.005); 0 fits it with the signal "
            "flow, where it mostly measures how much background mismodelling the flow absorbs.",
            {} },
        { "hunt", "max_reference_events",
            "Cap on the reference events (SB, template or samples) per fold, for speed (0: no cap).", {} },
        { "density", "family", "Flow family of the conditional densities p(x|m) (an exact density is needed).",
            { "maf-rqs", "maf-affine", "flow-rqs", "flow-affine" } },
        { "density", "logit_margin",
            "Margin of the logit preprocessing: features map to [m, 1 - m] first. Keep it small (0.001): the logit "
            "then acts as a log on long mass tails, which a wide margin leaves for the flow to model.",
            {} },
        { "density", "log_mass",
            "Condition the flows on ln m instead of m (jet masses scale as powers of m_jj; needs positive masses).",
            {} },
        { "bdt", "rounds", "Most boosting rounds (trees); early stopping usually ends sooner.", {} },
        { "bdt", "max_depth", "Depth of each tree.", {} },
        { "bdt", "eta", "Learning rate: shrinks each new tree's contribution, in (0, 1].", {} },
        { "bdt", "subsample", "Share of the training events each tree sees, in (0, 1].", {} },
        { "bdt", "min_child_weight", "Least total (balanced) event weight in a leaf.", {} },
        { "bdt", "early_stopping", "Stop after this many rounds without a better validation log-loss (0: off).", {} },
        { "bdt", "validation_fraction", "Share of the training events held out for early stopping.", {} },
        { "bdt", "threads", "XGBoost threads (the result does not depend on it).", {} },
        { "classifier", "members",
            "Networks in the ensemble (seeds seed, seed+1, ...); their probabilities are averaged.", {} },
        { "classifier", "hidden", "Hidden layer widths of each network.", {} },
        { "classifier", "epochs", "Most passes over the training events; the best validation epoch is kept.", {} },
        { "classifier", "batch_size", "Events per optimisation step.", {} },
        { "classifier", "validation_fraction", "Share of the training events held out to pick the best epoch.", {} },
        { "classifier", "patience", "Stop after this many epochs without a better validation loss (0: never).", {} },
        { "classifier", "standardize", "Standardise the inputs (fitted on the training events).", {} },
        // Trainer.
        { "trainer", "epochs", "Passes over the training data.", {} },
        { "trainer", "batch_size", "Events per optimisation step.", {} },
        { "trainer", "max_steps", "Stop after this many optimisation steps in total (0: the epochs decide).", {} },
        { "trainer", "validation_fraction", "Share of the events held out to measure the validation loss.", {} },
        { "trainer", "schedule", "Learning-rate schedule: constant, cosine decay to 0, or step decay.",
            { "constant", "cosine", "step" } },
        { "trainer", "warmup_steps", "Linear learning-rate warm-up over this many steps.", {} },
        { "trainer", "step_every", "Step schedule: multiply the learning rate by step_gamma every this many epochs.",
            {} },
        { "trainer", "step_gamma", "Step schedule: the factor applied every step_every epochs.", {} },
        { "trainer", "clip_norm", "Clip the global gradient norm to this value (0: off).", {} },
        { "trainer", "ema_decay", "Exponential moving average of the weights used for sampling (0: off; e.g. 0.999).",
            {} },
        { "trainer", "patience", "Stop early after this many epochs without a better validation loss (0: off).", {} },
        { "trainer", "seed", "Seed of the initialisation, the shuffling and the validation split.", {} },
    };
    return table;
}

bool inScope(const char* scopes, const std::string& scope)
{
    std::istringstream words(scopes);
    std::string w;
    while (words >> w)
        if (w == scope || (w == "*" && scope != "trainer"))
            return true;
    return false;
}

bool isOptimizerKey(const std::string& key)
{
    return key == "optimizer" || key == "lr" || key == "weight_decay" || key == "beta1" || key == "beta2";
}

} // namespace

int configFieldRank(const std::string& scope, const std::string& key)
{
    const auto& all = entries();
    const int n = static_cast<int>(all.size());
    for (int i = 0; i < n; ++i)
        if (key == all[static_cast<std::size_t>(i)].key && inScope(all[static_cast<std::size_t>(i)].scopes, scope))
            return isOptimizerKey(key) ? n + i : i;
    return 3 * n;
}

FieldHelp configFieldHelp(const std::string& scope, const std::string& key)
{
    // Specific scopes first, the "*" entries last.
    for (const bool generic : { false, true })
        for (const auto& e : entries())
            if (key == e.key && (std::string(e.scopes) == "*") == generic && inScope(e.scopes, scope))
                return { e.text, e.choices };
    return {};
}

} // namespace hepgen::models
